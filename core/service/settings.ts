import type { Database } from '../store/db.js';
import type { Settings } from '../api.js';
import { defaultBackboneId } from '../ml/backbones/registry.js';
import { readStoredSettings, writeStoredSettings } from '../store/settings.js';

export const DEFAULT_SETTINGS: Settings = { k: 'auto', mode: 'finetune', backbone: defaultBackboneId(), backend: 'auto', epochs: null };

export function readSettings(db: Database, defaults: Settings = DEFAULT_SETTINGS): Settings {
  const stored = readStoredSettings(db);
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) if (key in stored) out[key] = stored[key];
  return out as unknown as Settings;
}

export function writeSettings(db: Database, patch: Partial<Settings>): void {
  writeStoredSettings(db, patch);
}
