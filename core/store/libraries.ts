import type { Database } from './db.js';
import { column, nowIso, stmt } from './statements.js';

export interface LibraryRow {
  id: number;
  root: string;
  created_at: string;
  last_scanned_at: string | null;
  /** The clustering run whose groups the library shows; null before the first one. */
  current_run_id: number | null;
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

/** Most recently used first (scanned, or else added). */
export function listLibrariesByUse(db: Database): LibraryRow[] {
  return stmt<[], LibraryRow>(db, 'SELECT * FROM libraries ORDER BY COALESCE(last_scanned_at, created_at) DESC').all();
}

export function libraryRoot(db: Database, id: number): string | undefined {
  return column<[number], string>(db, 'SELECT root FROM libraries WHERE id = ?').get(id);
}

/** Removes the library's records (photos, groups, runs… cascade); the files on disk are not touched. */
export function deleteLibrary(db: Database, id: number): boolean {
  return stmt(db, 'DELETE FROM libraries WHERE id = ?').run(id).changes > 0;
}

export function currentRunId(db: Database, libraryId: number): number | null {
  return column<[number], number | null>(db, 'SELECT current_run_id FROM libraries WHERE id = ?').get(libraryId) ?? null;
}

export function setCurrentRun(db: Database, libraryId: number, runId: number): void {
  stmt(db, 'UPDATE libraries SET current_run_id = ? WHERE id = ?').run(runId, libraryId);
}
