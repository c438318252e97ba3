import type { Database } from '../store/db.js';
import type { Settings } from '../api.js';
import { defaultBackboneId } from '../ml/backbones/registry.js';

export const DEFAULT_SETTINGS: Settings = { k: 'auto', mode: 'finetune', backbone: defaultBackboneId(), backend: 'auto', epochs: null };

export function readSettings(db: Database, defaults: Settings = DEFAULT_SETTINGS): Settings {
  const rows = db.prepare(`SELECT key, value FROM settings`).all() as Array<{ key: string; value: string }>;
  const stored: Record<string, unknown> = {};
  for (const r of rows) stored[r.key] = JSON.parse(r.value);
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) if (key in stored) out[key] = stored[key];
  return out as unknown as Settings;
}

export function writeSettings(db: Database, patch: Partial<Settings>): void {
  const upsert = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  db.transaction(() => {
    for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value));
  })();
}
