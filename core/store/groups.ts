/**
 * Groups: `clusters` (a group and its model output), `assignments` (where each photo is; source 'user' pins it) and
 * `rejections` ("not this group": the model may never put the photo back there).
 */
import type { Database } from './db.js';
import { setCurrentRun } from './libraries.js';
import type { PhotoRow } from './photos.js';
import { insertRun, upsertEmbedding, type NewRun } from './runs.js';
import { column, nowIso, stmt } from './statements.js';

export interface ClusterRow {
  id: number;
  library_id: number;
  name: string;
  user_named: number;
  hidden: number;
  /** Which output of the current run's model feeds this group; null for groups the user made. */
  model_index: number | null;
  created_at: string;
}

export type AssignmentSource = 'model' | 'user';

export interface AssignmentRow {
  photo_id: number;
  cluster_id: number;
  confidence: number | null;
  source: AssignmentSource;
  run_id: number | null;
  /** Placed after the run that trained the model. */
  is_new: number;
}

export interface RejectionRow {
  photo_id: number;
  cluster_id: number;
}

// ── clusters ──

export function getCluster(db: Database, id: number): ClusterRow | undefined {
  return stmt<[number], ClusterRow>(db, 'SELECT * FROM clusters WHERE id = ?').get(id);
}

export function insertCluster(db: Database, c: { libraryId: number; name: string; userNamed: boolean; modelIndex: number | null }, createdAt = nowIso()): number {
  const info = stmt(db, 'INSERT INTO clusters (library_id, name, user_named, hidden, model_index, created_at) VALUES (?, ?, ?, 0, ?, ?)').run(
    c.libraryId,
    c.name,
    c.userNamed ? 1 : 0,
    c.modelIndex,
    createdAt,
  );
  return Number(info.lastInsertRowid);
}

/** A name the user chose. */
export function renameCluster(db: Database, id: number, name: string): void {
  stmt(db, 'UPDATE clusters SET name = ?, user_named = 1 WHERE id = ?').run(name, id);
}

export function setClusterHidden(db: Database, id: number, hidden: boolean): void {
  stmt(db, 'UPDATE clusters SET hidden = ? WHERE id = ?').run(hidden ? 1 : 0, id);
}

/** Its assignments and rejections go with it (cascade). */
export function deleteCluster(db: Database, id: number): void {
  stmt(db, 'DELETE FROM clusters WHERE id = ?').run(id);
}

/** Writes a snapshot back (undo/redo): inserted with its old id, or updated where it still exists. */
export function restoreCluster(db: Database, row: ClusterRow): void {
  stmt(
    db,
    `INSERT INTO clusters (id, library_id, name, user_named, hidden, model_index, created_at)
     VALUES (@id, @library_id, @name, @user_named, @hidden, @model_index, @created_at)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, user_named = excluded.user_named, hidden = excluded.hidden,
       model_index = excluded.model_index`,
  ).run(row);
}

export function clusterNames(db: Database, libraryId: number): string[] {
  return column<[number], string>(db, 'SELECT name FROM clusters WHERE library_id = ?').all(libraryId);
}

export function countClusters(db: Database, libraryId: number): number {
  return column<[number], number>(db, 'SELECT COUNT(*) FROM clusters WHERE library_id = ?').get(libraryId)!;
}

/** Model output → the group it feeds, for the library's current run. */
export function groupsByModelOutput(db: Database, libraryId: number): Map<number, number> {
  const rows = stmt<[number], { id: number; model_index: number }>(db, 'SELECT id, model_index FROM clusters WHERE library_id = ? AND model_index IS NOT NULL').all(libraryId);
  return new Map(rows.map((r) => [r.model_index, r.id]));
}

/** Groups the user hid. */
export function hiddenClusterIds(db: Database, libraryId: number): number[] {
  return column<[number], number>(db, 'SELECT id FROM clusters WHERE library_id = ? AND hidden = 1').all(libraryId);
}

/** Groups with no photo in them. */
export function emptyClusterIds(db: Database, libraryId: number): number[] {
  return column<[number], number>(db, 'SELECT c.id FROM clusters c WHERE c.library_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.cluster_id = c.id)').all(libraryId);
}

// ── assignments ──

export function getAssignment(db: Database, photoId: number): AssignmentRow | undefined {
  return stmt<[number], AssignmentRow>(db, 'SELECT * FROM assignments WHERE photo_id = ?').get(photoId);
}

export function photosInClusters(db: Database, clusterIds: readonly number[]): number[] {
  const one = column<[number], number>(db, 'SELECT photo_id FROM assignments WHERE cluster_id = ?');
  return clusterIds.flatMap((id) => one.all(id));
}

export function deleteAssignment(db: Database, photoId: number): void {
  stmt(db, 'DELETE FROM assignments WHERE photo_id = ?').run(photoId);
}

/** Writes a snapshot back (undo/redo). */
export function restoreAssignment(db: Database, row: AssignmentRow): void {
  stmt(
    db,
    `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new)
     VALUES (@photo_id, @cluster_id, @confidence, @source, @run_id, @is_new)
     ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, confidence = excluded.confidence,
       source = excluded.source, run_id = excluded.run_id, is_new = excluded.is_new`,
  ).run(row);
}

/** The user put the photo here: pinned. A photo placed before keeps its confidence and run. */
export function placeByUser(db: Database, photoId: number, clusterId: number): void {
  stmt(
    db,
    `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, NULL, 'user', NULL, 0)
     ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, source = 'user', is_new = 0`,
  ).run(photoId, clusterId);
}

/**
 * Where "not this group" sent the photo: pinned there, with the model's probability for that group (null where no
 * model output feeds it).
 */
export function moveRejectedPhoto(db: Database, photoId: number, clusterId: number, confidence: number | null): void {
  stmt(db, `UPDATE assignments SET cluster_id = ?, confidence = ?, source = 'user', is_new = 0 WHERE photo_id = ?`).run(clusterId, confidence, photoId);
}

/** Moves a photo keeping its confidence, with the source a merge or split gives it. */
export function moveAssignment(db: Database, photoId: number, clusterId: number, source: AssignmentSource): void {
  stmt(db, 'UPDATE assignments SET cluster_id = ?, source = ? WHERE photo_id = ?').run(clusterId, source, photoId);
}

/** The user confirmed the model's choice. */
export function pinAssignment(db: Database, photoId: number): void {
  stmt(db, `UPDATE assignments SET source = 'user', is_new = 0 WHERE photo_id = ?`).run(photoId);
}

// ── rejections ──

export function hasRejection(db: Database, photoId: number, clusterId: number): boolean {
  return stmt<[number, number]>(db, 'SELECT 1 FROM rejections WHERE photo_id = ? AND cluster_id = ?').get(photoId, clusterId) !== undefined;
}

export function addRejection(db: Database, photoId: number, clusterId: number): void {
  stmt(db, 'INSERT OR IGNORE INTO rejections (photo_id, cluster_id) VALUES (?, ?)').run(photoId, clusterId);
}

export function removeRejection(db: Database, photoId: number, clusterId: number): void {
  stmt(db, 'DELETE FROM rejections WHERE photo_id = ? AND cluster_id = ?').run(photoId, clusterId);
}

export function photosRejectedFrom(db: Database, clusterId: number): number[] {
  return column<[number], number>(db, 'SELECT photo_id FROM rejections WHERE cluster_id = ?').all(clusterId);
}

export function groupsRejectedBy(db: Database, photoId: number): number[] {
  return column<[number], number>(db, 'SELECT cluster_id FROM rejections WHERE photo_id = ?').all(photoId);
}

/** Photo → the groups it must not be put in, for every photo of the library. */
export function libraryRejections(db: Database, libraryId: number): Map<number, Set<number>> {
  const map = new Map<number, Set<number>>();
  const rows = stmt<[number], RejectionRow>(db, 'SELECT r.photo_id, r.cluster_id FROM rejections r JOIN photos p ON p.id = r.photo_id WHERE p.library_id = ?').all(libraryId);
  for (const r of rows) {
    let set = map.get(r.photo_id);
    if (!set) map.set(r.photo_id, (set = new Set()));
    set.add(r.cluster_id);
  }
  return map;
}

// ── what grouping reads and writes ──

/** A group's usable photos with what an export needs of their files, by path. */
export function groupFiles(db: Database, clusterId: number): Array<Pick<PhotoRow, 'id' | 'rel_path' | 'display_path' | 'size' | 'mtime_ms' | 'content_hash'>> {
  return stmt<[number], Pick<PhotoRow, 'id' | 'rel_path' | 'display_path' | 'size' | 'mtime_ms' | 'content_hash'>>(
    db,
    `SELECT p.id, p.rel_path, p.display_path, p.size, p.mtime_ms, p.content_hash FROM assignments a JOIN photos p ON p.id = a.photo_id
     WHERE a.cluster_id = ? AND p.status = 'ok' ORDER BY p.display_path, p.id`,
  ).all(clusterId);
}

/** Distinct contents of the library's usable photos (copies share one content); only ungrouped ones if asked. */
export function libraryContentHashes(db: Database, libraryId: number, opts: { ungroupedOnly?: boolean } = {}): string[] {
  const base = `SELECT DISTINCT p.content_hash FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id
     WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL`;
  const sql = `${base}${opts.ungroupedOnly ? ' AND a.photo_id IS NULL' : ''} ORDER BY p.content_hash`;
  return column<[number], string>(db, sql).all(libraryId);
}

/** Each grouped content with the model output its group stands for (-1 for a group the user made). */
export function groupedContentOutputs(db: Database, libraryId: number): Array<{ hash: string; output: number }> {
  return stmt<[number], { hash: string; output: number }>(
    db,
    `SELECT p.content_hash AS hash, MIN(COALESCE(c.model_index, -1)) AS output FROM photos p
     JOIN assignments a ON a.photo_id = p.id JOIN clusters c ON c.id = a.cluster_id
     WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL GROUP BY p.content_hash ORDER BY p.content_hash`,
  ).all(libraryId);
}

/** The library's usable photos and where each is now (cluster and source null when in no group). */
export function photoPlacements(db: Database, libraryId: number): Array<{ id: number; hash: string; cluster_id: number | null; source: AssignmentSource | null }> {
  return stmt<[number], { id: number; hash: string; cluster_id: number | null; source: AssignmentSource | null }>(
    db,
    `SELECT p.id, p.content_hash AS hash, a.cluster_id, a.source FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id
     WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL`,
  ).all(libraryId);
}

/** The library's usable photos that are in no group. */
export function ungroupedPhotos(db: Database, libraryId: number): Array<{ id: number; hash: string }> {
  return stmt<[number], { id: number; hash: string }>(
    db,
    `SELECT p.id, p.content_hash AS hash FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id
     WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL AND a.photo_id IS NULL`,
  ).all(libraryId);
}

/** Where a photo goes: left where the user pinned it, put in no group, or in the group fed by a model output. */
export type Placement = 'pinned' | null | { output: number; confidence: number };

/** A run and the library's groups after it, as one write. */
export interface RegroupWrite {
  run: Omit<NewRun, 'library_id' | 'finished_at'>;
  /** Model output → the existing group it now feeds; every other group feeds none. */
  matched: ReadonlyMap<number, number>;
  /** Outputs that get a new group, with its name. */
  newGroups: ReadonlyArray<{ output: number; name: string }>;
  photos: ReadonlyArray<{ photoId: number; vector: Float32Array; probs: Float32Array; placement: Placement }>;
}

/**
 * Records a finished run and re-groups the library by it in one transaction; groups left without photos go.
 * Returns the run's id.
 */
export function writeRegroup(db: Database, libraryId: number, w: RegroupWrite): number {
  return db.transaction(() => {
    const now = nowIso();
    const runId = insertRun(db, { ...w.run, library_id: libraryId, finished_at: now });
    stmt(db, 'UPDATE clusters SET model_index = NULL WHERE library_id = ?').run(libraryId);
    const setIndex = stmt(db, 'UPDATE clusters SET model_index = ? WHERE id = ?');
    const groupOf = new Map(w.matched);
    for (const [output, id] of w.matched) setIndex.run(output, id);
    for (const g of w.newGroups) groupOf.set(g.output, insertCluster(db, { libraryId, name: g.name, userNamed: false, modelIndex: g.output }, now));
    const place = stmt(
      db,
      `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, ?, 'model', ?, 0)
       ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, confidence = excluded.confidence, source = 'model',
         run_id = excluded.run_id, is_new = 0`,
    );
    const clearNew = stmt(db, 'UPDATE assignments SET is_new = 0 WHERE photo_id = ?');
    for (const p of w.photos) {
      upsertEmbedding(db, p.photoId, runId, p.vector, p.probs);
      if (p.placement === 'pinned') clearNew.run(p.photoId);
      else if (p.placement === null) deleteAssignment(db, p.photoId);
      else place.run(p.photoId, groupOf.get(p.placement.output)!, p.placement.confidence, runId);
    }
    stmt(db, 'DELETE FROM clusters WHERE library_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.cluster_id = clusters.id)').run(libraryId);
    setCurrentRun(db, libraryId, runId);
    return runId;
  })();
}

/** A photo that arrived after the run, placed by the run's model and flagged new. */
export function placeNewPhoto(db: Database, photoId: number, clusterId: number, confidence: number, runId: number): void {
  stmt(db, `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, ?, 'model', ?, 1)`).run(photoId, clusterId, confidence, runId);
}
