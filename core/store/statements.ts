import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';

const cache = new WeakMap<Database, Map<string, Statement>>();

/** Prepared statements are reused per connection: preparing is most of the cost of a small query. */
export function stmt<P extends unknown[] | {} = unknown[], R = unknown>(db: Database, sql: string): Statement<P, R> {
  let byText = cache.get(db);
  if (!byText) cache.set(db, (byText = new Map()));
  let s = byText.get(sql);
  if (!s) byText.set(sql, (s = db.prepare(sql)));
  return s as unknown as Statement<P, R>;
}

export function nowIso(): string {
  return new Date().toISOString();
}
