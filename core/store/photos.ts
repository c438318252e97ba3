import type { Database } from './db.js';
import { column, nowIso, stmt } from './statements.js';

export type PhotoStatus = 'ok' | 'error' | 'missing';

/** What decoding a file's content tells us; shared by every copy with the same hash. */
export interface PhotoContent {
  content_hash: string | null;
  width: number | null;
  height: number | null;
  taken_at: string | null;
  camera_make: string | null;
  camera_model: string | null;
  format: string | null;
}

/** Where the file is and what it looked like on disk when last read. */
export interface PhotoFile {
  rel_path: Buffer;
  display_path: string;
  size: number;
  mtime_ms: number;
}

export interface PhotoRow extends PhotoContent, PhotoFile {
  id: number;
  library_id: number;
  status: PhotoStatus;
  error: string | null;
  duplicate_of: number | null;
  first_seen_at: string;
  updated_at: string;
}

/** The columns a scan compares against the disk. */
export type PhotoState = Pick<PhotoRow, 'id' | 'rel_path' | 'display_path' | 'size' | 'mtime_ms' | 'content_hash' | 'status' | 'error'>;

export type PhotoWrite = PhotoFile & PhotoContent & { status: PhotoStatus; error: string | null };

export const EMPTY_CONTENT: PhotoContent = {
  content_hash: null,
  width: null,
  height: null,
  taken_at: null,
  camera_make: null,
  camera_model: null,
  format: null,
};

export function loadPhotoStates(db: Database, libraryId: number): PhotoState[] {
  return stmt<[number], PhotoState>(
    db,
    'SELECT id, rel_path, display_path, size, mtime_ms, content_hash, status, error FROM photos WHERE library_id = ?',
  ).all(libraryId);
}

/** Content facts of an already-decoded copy of `hash` (any library), so a copy or move is not decoded again. */
export function findDecodedContent(db: Database, hash: string): PhotoContent | undefined {
  return stmt<[string], PhotoContent>(
    db,
    `SELECT content_hash, width, height, taken_at, camera_make, camera_model, format FROM photos
     WHERE content_hash = ? AND status = 'ok' AND width IS NOT NULL LIMIT 1`,
  ).get(hash);
}

export function insertPhoto(db: Database, libraryId: number, p: PhotoWrite): number {
  const now = nowIso();
  const info = stmt(
    db,
    `INSERT INTO photos (library_id, rel_path, display_path, size, mtime_ms, content_hash, width, height, taken_at,
       camera_make, camera_model, format, status, error, first_seen_at, updated_at)
     VALUES (@library_id, @rel_path, @display_path, @size, @mtime_ms, @content_hash, @width, @height, @taken_at,
       @camera_make, @camera_model, @format, @status, @error, @now, @now)`,
  ).run({ ...p, library_id: libraryId, now });
  return Number(info.lastInsertRowid);
}

/** Rewrites a photo's file and content facts in place: the id (and everything hung on it) stays. */
export function updatePhoto(db: Database, id: number, p: PhotoWrite): void {
  stmt(
    db,
    `UPDATE photos SET rel_path = @rel_path, display_path = @display_path, size = @size, mtime_ms = @mtime_ms,
       content_hash = @content_hash, width = @width, height = @height, taken_at = @taken_at, camera_make = @camera_make,
       camera_model = @camera_model, format = @format, status = @status, error = @error, updated_at = @now
     WHERE id = @id`,
  ).run({ ...p, id, now: nowIso() });
}

export function markPhotosMissing(db: Database, ids: readonly number[]): void {
  const now = nowIso();
  const update = stmt(db, "UPDATE photos SET status = 'missing', duplicate_of = NULL, updated_at = ? WHERE id = ? AND status != 'missing'");
  db.transaction(() => {
    for (const id of ids) update.run(now, id);
  })();
}

/**
 * Points every present copy of each hash at the first copy (lowest id with status ok) and clears the link on the
 * first copy and on photos that are not ok. Returns how many photos became duplicates.
 */
export function refreshDuplicates(db: Database, libraryId: number, hashes: Iterable<string>): number {
  const rows = stmt<[number, string], { id: number; status: PhotoStatus; duplicate_of: number | null }>(
    db,
    'SELECT id, status, duplicate_of FROM photos WHERE library_id = ? AND content_hash = ? ORDER BY id',
  );
  const set = stmt(db, 'UPDATE photos SET duplicate_of = ? WHERE id = ?');
  let became = 0;
  db.transaction(() => {
    for (const hash of hashes) {
      let first: number | null = null;
      for (const r of rows.all(libraryId, hash)) {
        const target = r.status === 'ok' ? first : null;
        if (r.status === 'ok' && first === null) first = r.id;
        if (r.duplicate_of === target) continue;
        if (r.duplicate_of === null && target !== null) became++;
        set.run(target, r.id);
      }
    }
  })();
  return became;
}

export function getPhoto(db: Database, id: number): PhotoRow | undefined {
  return stmt<[number], PhotoRow>(db, 'SELECT * FROM photos WHERE id = ?').get(id);
}

export function listPhotos(db: Database, libraryId: number, status?: PhotoStatus): PhotoRow[] {
  if (status) return stmt<[number, string], PhotoRow>(db, 'SELECT * FROM photos WHERE library_id = ? AND status = ? ORDER BY id').all(libraryId, status);
  return stmt<[number], PhotoRow>(db, 'SELECT * FROM photos WHERE library_id = ? ORDER BY id').all(libraryId);
}

export function libraryOfPhoto(db: Database, id: number): number | undefined {
  return column<[number], number>(db, 'SELECT library_id FROM photos WHERE id = ?').get(id);
}

/** The content of a usable photo (undefined when there is no such photo or it cannot be shown). */
export function okPhotoHash(db: Database, id: number): string | null | undefined {
  return column<[number], string | null>(db, `SELECT content_hash FROM photos WHERE id = ? AND status = 'ok'`).get(id);
}

/** Where a photo's file is: its library's root and its path under it. */
export type PhotoLocation = Pick<PhotoRow, 'status' | 'error' | 'size' | 'rel_path'> & { root: string };

export function photoLocation(db: Database, id: number): PhotoLocation | undefined {
  return stmt<[number], PhotoLocation>(
    db,
    'SELECT p.status, p.error, p.size, p.rel_path, l.root FROM photos p JOIN libraries l ON l.id = p.library_id WHERE p.id = ?',
  ).get(id);
}

/** The library's usable photos with content, by id. */
export function okPhotoContents(db: Database, libraryId: number): Array<{ id: number; content_hash: string }> {
  return stmt<[number], { id: number; content_hash: string }>(
    db,
    `SELECT id, content_hash FROM photos WHERE library_id = ? AND status = 'ok' AND content_hash IS NOT NULL ORDER BY id`,
  ).all(libraryId);
}

/** Photos a move export took out of the library: recorded missing, with where they went. */
export function markPhotosMovedOut(db: Database, moved: ReadonlyArray<{ id: number; reason: string }>): void {
  const mark = stmt(db, `UPDATE photos SET status = 'missing', error = ?, updated_at = ? WHERE id = ?`);
  const now = nowIso();
  db.transaction(() => {
    for (const m of moved) mark.run(m.reason, now, m.id);
  })();
}

/** The photo at raw path bytes `rel` in the library. */
export function photoIdAt(db: Database, libraryId: number, rel: Buffer): number | undefined {
  return column<[number, Buffer], number>(db, 'SELECT id FROM photos WHERE library_id = ? AND rel_path = ?').get(libraryId, rel);
}

/** Up to two photos shown as `displayPath` (names differing only in bytes that are not UTF-8 display alike). */
export function photoIdsShownAs(db: Database, libraryId: number, displayPath: string): number[] {
  return column<[number, string], number>(db, 'SELECT id FROM photos WHERE library_id = ? AND display_path = ? LIMIT 2').all(libraryId, displayPath);
}
