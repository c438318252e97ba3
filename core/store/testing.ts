/**
 * Raw SQL for tests that set up or inspect state no repository function exposes. Lives in the store so that SQL
 * stays in one place; application code uses the repositories.
 */
import type { Database } from './db.js';

/** Every row of a query. */
export function sqlRows<R = Record<string, unknown>>(db: Database, sql: string, ...params: unknown[]): R[] {
  return db.prepare(sql).all(...params) as R[];
}

/** The first column of the first row (undefined when there is none). */
export function sqlValue<V = unknown>(db: Database, sql: string, ...params: unknown[]): V {
  return db.prepare(sql).pluck().get(...params) as V;
}

/** The first column of every row. */
export function sqlValues<V = unknown>(db: Database, sql: string, ...params: unknown[]): V[] {
  return db.prepare(sql).pluck().all(...params) as V[];
}

export function sqlRun(db: Database, sql: string, ...params: unknown[]): void {
  db.prepare(sql).run(...params);
}
