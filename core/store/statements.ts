import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';

const cache = new WeakMap<Database, Map<string, Statement>>();

function cached(db: Database, key: string, make: () => Statement): Statement {
  let byText = cache.get(db);
  if (!byText) cache.set(db, (byText = new Map()));
  let s = byText.get(key);
  if (!s) byText.set(key, (s = make()));
  return s;
}

/** Prepared statements are reused per connection: preparing is most of the cost of a small query. */
export function stmt<P extends unknown[] | {} = unknown[], R = unknown>(db: Database, sql: string): Statement<P, R> {
  return cached(db, sql, () => db.prepare(sql)) as unknown as Statement<P, R>;
}

/**
 * A statement that returns the first column's value instead of a row. Cached apart from `stmt`: plucking is a mode
 * of the statement object, so one shared with row-returning callers would change their results.
 */
export function column<P extends unknown[] | {} = unknown[], V = unknown>(db: Database, sql: string): Statement<P, V> {
  return cached(db, `column:${sql}`, () => db.prepare(sql).pluck()) as unknown as Statement<P, V>;
}

export function nowIso(): string {
  return new Date().toISOString();
}
