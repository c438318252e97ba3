/**
 * User edits to groups, each one transaction and one entry in an undo/redo log.
 *
 * An edit records snapshots of every row it touched (clusters, assignments, rejections) before and after. Undo
 * writes the "before" rows back, redo the "after" rows, so any edit — including ones added later — undoes exactly,
 * without a hand-written inverse per kind.
 */
import type { Database } from '../store/db.js';
import type { Statement } from 'better-sqlite3';
import { ApiError, type EditInfo } from '../api.js';

export type EditKind = EditInfo['kind'];

interface ClusterRow {
  id: number;
  library_id: number;
  name: string;
  user_named: number;
  hidden: number;
  model_index: number | null;
  created_at: string;
}
interface AssignmentRow {
  photo_id: number;
  cluster_id: number;
  confidence: number | null;
  source: 'model' | 'user';
  run_id: number | null;
  is_new: number;
}

interface Changes {
  clusters: Array<{ id: number; before: ClusterRow | null; after: ClusterRow | null }>;
  assignments: Array<{ photoId: number; before: AssignmentRow | null; after: AssignmentRow | null }>;
  rejections: Array<{ photoId: number; clusterId: number; before: boolean; after: boolean }>;
}

/** Collects the rows an edit touches; `touch*` must be called before the row is changed. */
export class EditTracker {
  private readonly clusterBefore = new Map<number, ClusterRow | null>();
  private readonly assignmentBefore = new Map<number, AssignmentRow | null>();
  private readonly rejectionBefore = new Map<string, boolean>();

  private readonly rejectionStmt: Statement;

  constructor(private readonly db: Database) {
    this.rejectionStmt = db.prepare(`SELECT 1 FROM rejections WHERE photo_id = ? AND cluster_id = ?`);
  }

  touchCluster(id: number): void {
    if (!this.clusterBefore.has(id)) this.clusterBefore.set(id, this.readCluster(id));
  }

  touchAssignments(photoIds: Iterable<number>): void {
    const read = this.db.prepare(`SELECT * FROM assignments WHERE photo_id = ?`);
    for (const id of photoIds) if (!this.assignmentBefore.has(id)) this.assignmentBefore.set(id, (read.get(id) as AssignmentRow | undefined) ?? null);
  }

  touchRejection(photoId: number, clusterId: number): void {
    const key = `${photoId}:${clusterId}`;
    if (!this.rejectionBefore.has(key)) this.rejectionBefore.set(key, this.hasRejection(photoId, clusterId));
  }

  /** Inserts a new cluster row and tracks it (before = none). */
  createCluster(libraryId: number, name: string, userNamed: boolean): number {
    const { lastInsertRowid } = this.db
      .prepare(`INSERT INTO clusters (library_id, name, user_named, hidden, model_index, created_at) VALUES (?, ?, ?, 0, NULL, ?)`)
      .run(libraryId, name, userNamed ? 1 : 0, new Date().toISOString());
    const id = Number(lastInsertRowid);
    this.clusterBefore.set(id, null);
    return id;
  }

  /** Deletes a cluster with everything hanging on it, tracked so undo brings all of it back. */
  deleteCluster(id: number): void {
    this.touchCluster(id);
    const photos = this.db.prepare(`SELECT photo_id FROM assignments WHERE cluster_id = ?`).pluck().all(id) as number[];
    this.touchAssignments(photos);
    for (const photoId of this.db.prepare(`SELECT photo_id FROM rejections WHERE cluster_id = ?`).pluck().all(id) as number[]) {
      this.touchRejection(photoId, id);
    }
    this.db.prepare(`DELETE FROM clusters WHERE id = ?`).run(id);
  }

  changes(): Changes {
    const read = this.db.prepare(`SELECT * FROM assignments WHERE photo_id = ?`);
    const changes: Changes = { clusters: [], assignments: [], rejections: [] };
    for (const [id, before] of this.clusterBefore) {
      const after = this.readCluster(id);
      if (!sameRow(before, after)) changes.clusters.push({ id, before, after });
    }
    for (const [photoId, before] of this.assignmentBefore) {
      const after = (read.get(photoId) as AssignmentRow | undefined) ?? null;
      if (!sameRow(before, after)) changes.assignments.push({ photoId, before, after });
    }
    for (const [key, before] of this.rejectionBefore) {
      const [photoId, clusterId] = key.split(':').map(Number) as [number, number];
      const after = this.hasRejection(photoId, clusterId);
      if (before !== after) changes.rejections.push({ photoId, clusterId, before, after });
    }
    return changes;
  }

  private readCluster(id: number): ClusterRow | null {
    return (this.db.prepare(`SELECT * FROM clusters WHERE id = ?`).get(id) as ClusterRow | undefined) ?? null;
  }

  private hasRejection(photoId: number, clusterId: number): boolean {
    return this.rejectionStmt.get(photoId, clusterId) !== undefined;
  }
}

function sameRow(a: object | null, b: object | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface EditRow {
  id: number;
  library_id: number;
  run_id: number | null;
  kind: EditKind;
  description: string;
  changes: string;
  state: 'done' | 'undone' | 'discarded';
  created_at: string;
}

function toInfo(row: EditRow): EditInfo {
  return { id: row.id, libraryId: row.library_id, kind: row.kind, description: row.description, createdAt: row.created_at, undone: row.state === 'undone' };
}

export class EditLog {
  constructor(private readonly db: Database) {}

  /**
   * Runs `mutate` and records it as one undoable edit, all in one transaction. An edit that changed nothing is not
   * recorded. A new edit discards whatever could have been redone.
   */
  record<T>(libraryId: number, kind: EditKind, description: string, mutate: (t: EditTracker) => T): { edit: EditInfo | null; value: T } {
    return this.db.transaction(() => {
      const tracker = new EditTracker(this.db);
      const value = mutate(tracker);
      const changes = tracker.changes();
      if (changes.clusters.length + changes.assignments.length + changes.rejections.length === 0) return { edit: null, value };
      this.db.prepare(`UPDATE edits SET state = 'discarded' WHERE library_id = ? AND state = 'undone'`).run(libraryId);
      const runId = this.currentRun(libraryId);
      const { lastInsertRowid } = this.db
        .prepare(`INSERT INTO edits (library_id, run_id, kind, description, changes, state, created_at) VALUES (?, ?, ?, ?, ?, 'done', ?)`)
        .run(libraryId, runId, kind, description, JSON.stringify(changes), new Date().toISOString());
      return { edit: this.get(Number(lastInsertRowid)), value };
    }).immediate();
  }

  undo(libraryId: number): EditInfo | null {
    return this.step(libraryId, { from: 'done', to: 'undone', side: 'before', newestFirst: true });
  }

  redo(libraryId: number): EditInfo | null {
    return this.step(libraryId, { from: 'undone', to: 'done', side: 'after', newestFirst: false });
  }

  /** Undo takes the newest done edit back to its "before" rows; redo replays the oldest undone one. */
  private step(libraryId: number, how: { from: 'done' | 'undone'; to: 'done' | 'undone'; side: 'before' | 'after'; newestFirst: boolean }): EditInfo | null {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT * FROM edits WHERE library_id = ? AND state = ? AND run_id IS ? ORDER BY id ${how.newestFirst ? 'DESC' : 'ASC'} LIMIT 1`)
        .get(libraryId, how.from, this.currentRun(libraryId)) as EditRow | undefined;
      if (!row) return null;
      this.apply(JSON.parse(row.changes) as Changes, how.side);
      this.db.prepare(`UPDATE edits SET state = ? WHERE id = ?`).run(how.to, row.id);
      return this.get(row.id);
    }).immediate();
  }

  history(libraryId: number, limit: number): { entries: EditInfo[]; canUndo: boolean; canRedo: boolean } {
    const runId = this.currentRun(libraryId);
    const rows = this.db
      .prepare(`SELECT * FROM edits WHERE library_id = ? AND state != 'discarded' ORDER BY id DESC LIMIT ?`)
      .all(libraryId, limit) as EditRow[];
    const count = (state: string) =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM edits WHERE library_id = ? AND state = ? AND run_id IS ?`).get(libraryId, state, runId) as { n: number }).n;
    return { entries: rows.map(toInfo), canUndo: count('done') > 0, canRedo: count('undone') > 0 };
  }

  /** A new clustering run starts a new history: older edits stay listed but are baked in (pinned), not undoable. */
  sealForNewRun(libraryId: number): void {
    this.db.prepare(`UPDATE edits SET state = 'discarded' WHERE library_id = ? AND state = 'undone'`).run(libraryId);
  }

  get(id: number): EditInfo {
    const row = this.db.prepare(`SELECT * FROM edits WHERE id = ?`).get(id) as EditRow | undefined;
    if (!row) throw new ApiError('not_found', `no edit ${id}`);
    return toInfo(row);
  }

  private currentRun(libraryId: number): number | null {
    const row = this.db.prepare(`SELECT current_run_id AS r FROM libraries WHERE id = ?`).get(libraryId) as { r: number | null } | undefined;
    return row?.r ?? null;
  }

  private apply(changes: Changes, side: 'before' | 'after'): void {
    // Rows reference each other (assignments → clusters); check the constraints once the whole snapshot is written.
    this.db.pragma('defer_foreign_keys = ON');
    const upsertCluster = this.db.prepare(
      `INSERT INTO clusters (id, library_id, name, user_named, hidden, model_index, created_at)
       VALUES (@id, @library_id, @name, @user_named, @hidden, @model_index, @created_at)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, user_named = excluded.user_named, hidden = excluded.hidden,
         model_index = excluded.model_index`,
    );
    const upsertAssignment = this.db.prepare(
      `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new)
       VALUES (@photo_id, @cluster_id, @confidence, @source, @run_id, @is_new)
       ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, confidence = excluded.confidence,
         source = excluded.source, run_id = excluded.run_id, is_new = excluded.is_new`,
    );
    for (const c of changes.clusters) {
      const row = c[side];
      if (row) upsertCluster.run(row);
    }
    for (const a of changes.assignments) {
      const row = a[side];
      if (row) upsertAssignment.run(row);
      else this.db.prepare(`DELETE FROM assignments WHERE photo_id = ?`).run(a.photoId);
    }
    for (const r of changes.rejections) {
      if (r[side]) this.db.prepare(`INSERT OR IGNORE INTO rejections (photo_id, cluster_id) VALUES (?, ?)`).run(r.photoId, r.clusterId);
      else this.db.prepare(`DELETE FROM rejections WHERE photo_id = ? AND cluster_id = ?`).run(r.photoId, r.clusterId);
    }
    // Clusters that did not exist on this side go last, after their photos have been moved back out.
    for (const c of changes.clusters) {
      if (!c[side]) this.db.prepare(`DELETE FROM clusters WHERE id = ?`).run(c.id);
    }
  }
}
