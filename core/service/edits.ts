/**
 * User edits to groups, each one transaction and one entry in an undo/redo log.
 *
 * An edit records snapshots of every row it touched (clusters, assignments, rejections) before and after. Undo
 * writes the "before" rows back, redo the "after" rows, so any edit — including ones added later — undoes exactly,
 * without a hand-written inverse per kind.
 */
import { deferForeignKeys, type Database } from '../store/db.js';
import { ApiError, type EditInfo } from '../api.js';
import { countEdits, discardUndoneEdits, edgeEdit, getEditRow, insertEdit, listEditRows, setEditState, type EditRow } from '../store/editLog.js';
import {
  addRejection,
  deleteAssignment,
  deleteCluster,
  getAssignment,
  getCluster,
  hasRejection,
  insertCluster,
  photosInClusters,
  photosRejectedFrom,
  removeRejection,
  restoreAssignment,
  restoreCluster,
  type AssignmentRow,
  type ClusterRow,
} from '../store/groups.js';
import { currentRunId } from '../store/libraries.js';

export type EditKind = EditInfo['kind'];

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

  constructor(private readonly db: Database) {}

  touchCluster(id: number): void {
    if (!this.clusterBefore.has(id)) this.clusterBefore.set(id, this.readCluster(id));
  }

  touchAssignments(photoIds: Iterable<number>): void {
    for (const id of photoIds) if (!this.assignmentBefore.has(id)) this.assignmentBefore.set(id, getAssignment(this.db, id) ?? null);
  }

  touchRejection(photoId: number, clusterId: number): void {
    const key = `${photoId}:${clusterId}`;
    if (!this.rejectionBefore.has(key)) this.rejectionBefore.set(key, this.hasRejection(photoId, clusterId));
  }

  /** Inserts a new cluster row and tracks it (before = none). */
  createCluster(libraryId: number, name: string, userNamed: boolean): number {
    const id = insertCluster(this.db, { libraryId, name, userNamed, modelIndex: null });
    this.clusterBefore.set(id, null);
    return id;
  }

  /** Deletes a cluster with everything hanging on it, tracked so undo brings all of it back. */
  deleteCluster(id: number): void {
    this.touchCluster(id);
    this.touchAssignments(photosInClusters(this.db, [id]));
    for (const photoId of photosRejectedFrom(this.db, id)) this.touchRejection(photoId, id);
    deleteCluster(this.db, id);
  }

  changes(): Changes {
    const changes: Changes = { clusters: [], assignments: [], rejections: [] };
    for (const [id, before] of this.clusterBefore) {
      const after = this.readCluster(id);
      if (!sameRow(before, after)) changes.clusters.push({ id, before, after });
    }
    for (const [photoId, before] of this.assignmentBefore) {
      const after = getAssignment(this.db, photoId) ?? null;
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
    return getCluster(this.db, id) ?? null;
  }

  private hasRejection(photoId: number, clusterId: number): boolean {
    return hasRejection(this.db, photoId, clusterId);
  }
}

function sameRow(a: object | null, b: object | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
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
      discardUndoneEdits(this.db, libraryId);
      const id = insertEdit(this.db, { libraryId, runId: currentRunId(this.db, libraryId), kind, description, changes: JSON.stringify(changes) });
      return { edit: this.get(id), value };
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
      const row = edgeEdit(this.db, libraryId, how.from, currentRunId(this.db, libraryId), how.newestFirst);
      if (!row) return null;
      this.apply(JSON.parse(row.changes) as Changes, how.side);
      setEditState(this.db, row.id, how.to);
      return this.get(row.id);
    }).immediate();
  }

  history(libraryId: number, limit: number): { entries: EditInfo[]; canUndo: boolean; canRedo: boolean } {
    const runId = currentRunId(this.db, libraryId);
    const count = (state: 'done' | 'undone') => countEdits(this.db, libraryId, state, runId);
    return { entries: listEditRows(this.db, libraryId, limit).map(toInfo), canUndo: count('done') > 0, canRedo: count('undone') > 0 };
  }

  /** A new clustering run starts a new history: older edits stay listed but are baked in (pinned), not undoable. */
  sealForNewRun(libraryId: number): void {
    discardUndoneEdits(this.db, libraryId);
  }

  get(id: number): EditInfo {
    const row = getEditRow(this.db, id);
    if (!row) throw new ApiError('not_found', `no edit ${id}`);
    return toInfo(row);
  }

  private apply(changes: Changes, side: 'before' | 'after'): void {
    // Rows reference each other (assignments → clusters); check the constraints once the whole snapshot is written.
    deferForeignKeys(this.db);
    for (const c of changes.clusters) {
      const row = c[side];
      if (row) restoreCluster(this.db, row);
    }
    for (const a of changes.assignments) {
      const row = a[side];
      if (row) restoreAssignment(this.db, row);
      else deleteAssignment(this.db, a.photoId);
    }
    for (const r of changes.rejections) {
      if (r[side]) addRejection(this.db, r.photoId, r.clusterId);
      else removeRejection(this.db, r.photoId, r.clusterId);
    }
    // Clusters that did not exist on this side go last, after their photos have been moved back out.
    for (const c of changes.clusters) {
      if (!c[side]) deleteCluster(this.db, c.id);
    }
  }
}
