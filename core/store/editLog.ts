/** The `edits` table: the undo/redo log of user edits to groups, one row per edit with its row snapshots (JSON). */
import type { EditInfo } from '../api.js';
import type { Database } from './db.js';
import { column, nowIso, stmt } from './statements.js';

export type EditState = 'done' | 'undone' | 'discarded';

export interface EditRow {
  id: number;
  library_id: number;
  run_id: number | null;
  kind: EditInfo['kind'];
  description: string;
  changes: string;
  state: EditState;
  created_at: string;
}

/** What could have been redone is dropped (a new edit or a new run makes it meaningless). */
export function discardUndoneEdits(db: Database, libraryId: number): void {
  stmt(db, `UPDATE edits SET state = 'discarded' WHERE library_id = ? AND state = 'undone'`).run(libraryId);
}

export function insertEdit(db: Database, e: { libraryId: number; runId: number | null; kind: EditRow['kind']; description: string; changes: string }): number {
  const info = stmt(db, `INSERT INTO edits (library_id, run_id, kind, description, changes, state, created_at) VALUES (?, ?, ?, ?, ?, 'done', ?)`).run(
    e.libraryId,
    e.runId,
    e.kind,
    e.description,
    e.changes,
    nowIso(),
  );
  return Number(info.lastInsertRowid);
}

export function getEditRow(db: Database, id: number): EditRow | undefined {
  return stmt<[number], EditRow>(db, 'SELECT * FROM edits WHERE id = ?').get(id);
}

/** The newest (or oldest) edit in `state` made under `runId`: the one undo (or redo) takes. */
export function edgeEdit(db: Database, libraryId: number, state: EditState, runId: number | null, newest: boolean): EditRow | undefined {
  const sql = `SELECT * FROM edits WHERE library_id = ? AND state = ? AND run_id IS ? ORDER BY id ${newest ? 'DESC' : 'ASC'} LIMIT 1`;
  return stmt<[number, EditState, number | null], EditRow>(db, sql).get(libraryId, state, runId);
}

export function setEditState(db: Database, id: number, state: EditState): void {
  stmt(db, 'UPDATE edits SET state = ? WHERE id = ?').run(state, id);
}

/** Newest first, discarded ones left out. */
export function listEditRows(db: Database, libraryId: number, limit: number): EditRow[] {
  return stmt<[number, number], EditRow>(db, `SELECT * FROM edits WHERE library_id = ? AND state != 'discarded' ORDER BY id DESC LIMIT ?`).all(libraryId, limit);
}

export function countEdits(db: Database, libraryId: number, state: EditState, runId: number | null): number {
  return column<[number, EditState, number | null], number>(db, 'SELECT COUNT(*) FROM edits WHERE library_id = ? AND state = ? AND run_id IS ?').get(libraryId, state, runId)!;
}

/**
 * Photos the user placed by hand — moved, or kept in Review — in edits made since run `runId` grouped the library, and
 * still placed by hand: what "Group again" would learn from that the current groups have not. A photo that was ever
 * marked "not this group" is left out, as runGuide leaves it out of what a run learns from. A photo counts once
 * however often it was moved; undone edits count for nothing.
 */
export function photosPlacedByHandUnder(db: Database, libraryId: number, runId: number): number {
  return column<[number, number], number>(
    db,
    `SELECT COUNT(DISTINCT a.photo_id)
       FROM edits e, json_each(e.changes, '$.assignments') j
       JOIN assignments a ON a.photo_id = json_extract(j.value, '$.photoId')
      WHERE e.library_id = ? AND e.run_id = ? AND e.state = 'done' AND e.kind IN ('move', 'accept') AND a.source = 'user'
        AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.photo_id = a.photo_id)`,
  ).get(libraryId, runId)!;
}

/** A photo run `runId` placed, as it stands now: its confidence from the run and what the user did with it since. */
export interface PhotoSinceRun {
  photoId: number;
  /** The run's confidence in it (as it was before the first edit since that touched it). */
  confidence: number;
  /** Pinned by the user since (moved, kept in Review, or marked "not this group"). */
  pinned: boolean;
  /**
   * Marked "not this group", or moved by hand and now in another group than the one it was in before the first edit
   * since the run (moved there and back, or moved and its new group merged into its old one, it was not wrong).
   */
  foundWrong: boolean;
}

/**
 * The photos run `runId` placed (or its model placed later) that are still in a group, each with the run's
 * confidence and whether the user has since moved it elsewhere or marked it "not this group" — what grouping again
 * reads to know how many of the run's expected mistakes the user found (core/ml/finetune/correctedDoubt.ts). Merges
 * and splits reshape groups without saying a photo was wrong, so they count for nothing here.
 */
export function photosSinceRun(db: Database, libraryId: number, runId: number): PhotoSinceRun[] {
  const rows = stmt<[number, number], { photoId: number; clusterId: number; confidence: number; source: string }>(
    db,
    `SELECT a.photo_id AS photoId, a.cluster_id AS clusterId, a.confidence, a.source FROM assignments a JOIN photos p ON p.id = a.photo_id
      WHERE p.library_id = ? AND a.run_id = ? AND a.confidence IS NOT NULL`,
  ).all(libraryId, runId);
  // Each touched photo's assignment before the first edit since the run (edits in order), and the photos found wrong.
  const touched = stmt<[number, number], { photoId: number; kind: string; beforeConfidence: number | null; beforeCluster: number | null; afterCluster: number | null }>(
    db,
    `SELECT json_extract(j.value, '$.photoId') AS photoId, e.kind,
            json_extract(j.value, '$.before.confidence') AS beforeConfidence,
            json_extract(j.value, '$.before.cluster_id') AS beforeCluster,
            json_extract(j.value, '$.after.cluster_id') AS afterCluster
       FROM edits e, json_each(e.changes, '$.assignments') j
      WHERE e.library_id = ? AND e.run_id = ? AND e.state = 'done'
      ORDER BY e.id, j.key`,
  ).all(libraryId, runId);
  const then = new Map<number, { confidence: number | null; cluster: number | null }>();
  const rejected = new Set<number>();
  const moved = new Set<number>();
  for (const t of touched) {
    if (!then.has(t.photoId)) then.set(t.photoId, { confidence: t.beforeConfidence, cluster: t.beforeCluster });
    if (t.kind === 'reject') rejected.add(t.photoId);
    if (t.kind === 'move' && t.beforeCluster !== null && t.beforeCluster !== t.afterCluster) moved.add(t.photoId);
  }
  return rows.map((r) => {
    const before = then.get(r.photoId);
    const foundWrong = rejected.has(r.photoId) || (moved.has(r.photoId) && before?.cluster !== r.clusterId);
    return { photoId: r.photoId, confidence: before?.confidence ?? r.confidence, pinned: r.source === 'user', foundWrong };
  });
}
