/** User settings as key → JSON value; which keys exist and their defaults are the service's business. */
import type { Database } from './db.js';
import { stmt } from './statements.js';

export interface SettingRow {
  key: string;
  value: string;
}

export function readStoredSettings(db: Database): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const r of stmt<[], SettingRow>(db, 'SELECT key, value FROM settings').all()) stored[r.key] = JSON.parse(r.value);
  return stored;
}

/** Stores every defined value of `patch` in one transaction. */
export function writeStoredSettings(db: Database, patch: Record<string, unknown>): void {
  const upsert = stmt<[string, string]>(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  db.transaction(() => {
    for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value));
  })();
}
