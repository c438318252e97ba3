import type { Database } from './db.js';
import { nowIso, stmt } from './statements.js';

export interface LibraryRow {
  id: number;
  root: string;
  created_at: string;
  last_scanned_at: string | null;
}

/** The library for an absolute root folder, created on first use. */
export function getOrCreateLibrary(db: Database, root: string): LibraryRow {
  const existing = getLibraryByRoot(db, root);
  if (existing) return existing;
  const info = stmt(db, 'INSERT INTO libraries (root, created_at) VALUES (?, ?)').run(root, nowIso());
  return getLibrary(db, Number(info.lastInsertRowid))!;
}

export function getLibrary(db: Database, id: number): LibraryRow | undefined {
  return stmt<[number], LibraryRow>(db, 'SELECT * FROM libraries WHERE id = ?').get(id);
}

export function getLibraryByRoot(db: Database, root: string): LibraryRow | undefined {
  return stmt<[string], LibraryRow>(db, 'SELECT * FROM libraries WHERE root = ?').get(root);
}

export function listLibraries(db: Database): LibraryRow[] {
  return stmt<[], LibraryRow>(db, 'SELECT * FROM libraries ORDER BY id').all();
}

export function markLibraryScanned(db: Database, id: number, at = nowIso()): void {
  stmt(db, 'UPDATE libraries SET last_scanned_at = ? WHERE id = ?').run(at, id);
}
