/** The user's edits to groups: rename, move, merge, split, hide, "not this group", accept — each one undoable edit. */
import type { Database } from '../store/db.js';
import { ApiError, type EditInfo } from '../api.js';
import { EditLog, type EditTracker } from './edits.js';
import { decodeFloat32 } from '../store/vectors.js';
import { sourceAfter } from './editRules.js';

/** Groups `vectors` into `n` parts; returns one label per vector (0..n-1). */
export type Partitioner = (vectors: Float32Array[], n: number) => number[];

export interface EditOutcome {
  edit: EditInfo | null;
  createdClusterIds: number[];
  libraryId: number;
}

export class GroupEditor {
  constructor(
    private readonly db: Database,
    private readonly log: EditLog,
  ) {}

  rename(clusterId: number, name: string): EditOutcome {
    const cluster = this.cluster(clusterId);
    const { edit } = this.log.record(cluster.library_id, 'rename', `Renamed “${cluster.name}” to “${name}”`, (t) => {
      t.touchCluster(clusterId);
      this.db.prepare(`UPDATE clusters SET name = ?, user_named = 1 WHERE id = ?`).run(name, clusterId);
    });
    return { edit, createdClusterIds: [], libraryId: cluster.library_id };
  }

  setHidden(clusterId: number, hidden: boolean): EditOutcome {
    const cluster = this.cluster(clusterId);
    const { edit } = this.log.record(cluster.library_id, 'hide', `${hidden ? 'Hid' : 'Showed'} “${cluster.name}”`, (t) => {
      t.touchCluster(clusterId);
      this.db.prepare(`UPDATE clusters SET hidden = ? WHERE id = ?`).run(hidden ? 1 : 0, clusterId);
    });
    return { edit, createdClusterIds: [], libraryId: cluster.library_id };
  }

  move(photoIds: number[], to: { clusterId: number } | { newCluster?: string | undefined }): EditOutcome {
    const libraryId = this.libraryOfPhotos(photoIds);
    let existing: ClusterRow | null = null;
    if ('clusterId' in to) {
      existing = this.cluster(to.clusterId);
      if (existing.library_id !== libraryId) throw new ApiError('bad_request', 'the photos and the group belong to different libraries');
    }
    const newName = 'newCluster' in to && to.newCluster ? to.newCluster : null;
    const targetName = existing?.name ?? newName ?? this.uniqueName(libraryId, 'New group');
    const label = photoIds.length === 1 ? '1 photo' : `${photoIds.length} photos`;
    const created: number[] = [];
    const { edit } = this.log.record(libraryId, 'move', `Moved ${label} to “${targetName}”`, (t) => {
      const targetId = existing?.id ?? t.createCluster(libraryId, targetName, newName !== null);
      if (!existing) created.push(targetId);
      this.assign(t, photoIds, targetId);
      this.dropEmptied(t, libraryId);
    });
    return { edit, createdClusterIds: created, libraryId };
  }

  merge(clusterIds: number[], name?: string): EditOutcome {
    const unique = [...new Set(clusterIds)];
    if (unique.length < 2) throw new ApiError('bad_request', 'merging needs at least two different groups');
    const clusters = unique.map((id) => this.cluster(id));
    const libraryId = clusters[0]!.library_id;
    if (clusters.some((c) => c.library_id !== libraryId)) throw new ApiError('bad_request', 'the groups belong to different libraries');
    const [into, ...others] = clusters as [ClusterRow, ...ClusterRow[]];
    const finalName = name ?? into.name;
    const { edit } = this.log.record(libraryId, 'merge', `Merged ${clusters.map((c) => `“${c.name}”`).join(', ')} into “${finalName}”`, (t) => {
      t.touchCluster(into.id);
      const photos = this.db
        .prepare(`SELECT photo_id FROM assignments WHERE cluster_id IN (${others.map(() => '?').join(',')})`)
        .pluck()
        .all(...others.map((c) => c.id)) as number[];
      this.regroup(t, photos, into.id, 'merge');
      for (const c of others) t.deleteCluster(c.id);
      if (name !== undefined) this.db.prepare(`UPDATE clusters SET name = ?, user_named = 1 WHERE id = ?`).run(name, into.id);
    });
    return { edit, createdClusterIds: [], libraryId };
  }

  /** Re-clusters one group's photos into `n` parts from their stored embeddings; the largest part keeps the group. */
  split(clusterId: number, n: number, partition: Partitioner): EditOutcome {
    const cluster = this.cluster(clusterId);
    const rows = this.db
      .prepare(
        `SELECT a.photo_id AS photoId, e.vector AS vector FROM assignments a JOIN embeddings e ON e.photo_id = a.photo_id
         WHERE a.cluster_id = ? ORDER BY a.photo_id`,
      )
      .all(clusterId) as Array<{ photoId: number; vector: Buffer }>;
    if (rows.length < n) throw new ApiError('bad_request', `“${cluster.name}” has ${rows.length} photos with embeddings; it cannot be split into ${n} groups`);
    const labels = partition(rows.map((r) => decodeFloat32(r.vector)), n);
    const parts = new Map<number, number[]>();
    labels.forEach((label, i) => {
      const list = parts.get(label) ?? [];
      list.push(rows[i]!.photoId);
      parts.set(label, list);
    });
    const ordered = [...parts.values()].sort((a, b) => b.length - a.length);
    const created: number[] = [];
    const { edit } = this.log.record(cluster.library_id, 'split', `Split “${cluster.name}” into ${ordered.length} groups`, (t) => {
      t.touchCluster(clusterId);
      // The largest part stays in the group; no photo is pinned by a split (see editRules.ts).
      this.regroup(t, ordered[0]!, clusterId, 'split');
      ordered.slice(1).forEach((photoIds, i) => {
        const id = t.createCluster(cluster.library_id, this.uniqueName(cluster.library_id, `${cluster.name} (${i + 2})`), false);
        created.push(id);
        this.regroup(t, photoIds, id, 'split');
      });
    });
    return { edit, createdClusterIds: created, libraryId: cluster.library_id };
  }

  /** "Not this group": each photo goes to its next most likely group that it was not rejected from, or to none. */
  reject(clusterId: number, photoIds: number[]): EditOutcome {
    const cluster = this.cluster(clusterId);
    const libraryId = this.libraryOfPhotos(photoIds);
    if (libraryId !== cluster.library_id) throw new ApiError('bad_request', 'the photos and the group belong to different libraries');
    const byModelIndex = new Map<number, number>();
    for (const c of this.db.prepare(`SELECT id, model_index FROM clusters WHERE library_id = ? AND model_index IS NOT NULL`).all(libraryId) as Array<{ id: number; model_index: number }>) {
      byModelIndex.set(c.model_index, c.id);
    }
    const label = photoIds.length === 1 ? '1 photo' : `${photoIds.length} photos`;
    const { edit } = this.log.record(libraryId, 'reject', `Marked ${label} as not “${cluster.name}”`, (t) => {
      t.touchAssignments(photoIds);
      for (const photoId of photoIds) {
        t.touchRejection(photoId, clusterId);
        this.db.prepare(`INSERT OR IGNORE INTO rejections (photo_id, cluster_id) VALUES (?, ?)`).run(photoId, clusterId);
        const current = this.db.prepare(`SELECT cluster_id FROM assignments WHERE photo_id = ?`).pluck().get(photoId) as number | undefined;
        if (current !== clusterId) continue; // already elsewhere: only remember the rejection
        const next = this.nextBest(photoId, byModelIndex);
        if (next === null) this.db.prepare(`DELETE FROM assignments WHERE photo_id = ?`).run(photoId);
        else this.db.prepare(`UPDATE assignments SET cluster_id = ?, confidence = ?, source = 'user', is_new = 0 WHERE photo_id = ?`).run(next.clusterId, next.p, photoId);
      }
      this.dropEmptied(t, libraryId);
    });
    return { edit, createdClusterIds: [], libraryId };
  }

  /** Confirms the model's choice for these photos: they are pinned where they are. */
  accept(photoIds: number[]): EditOutcome {
    const libraryId = this.libraryOfPhotos(photoIds);
    const label = photoIds.length === 1 ? '1 photo' : `${photoIds.length} photos`;
    const { edit } = this.log.record(libraryId, 'accept', `Confirmed ${label}`, (t) => {
      t.touchAssignments(photoIds);
      const stmt = this.db.prepare(`UPDATE assignments SET source = 'user', is_new = 0 WHERE photo_id = ?`);
      for (const id of photoIds) stmt.run(id);
    });
    return { edit, createdClusterIds: [], libraryId };
  }

  /** A name not yet used in the library: `base`, `base 2`, `base 3`… */
  uniqueName(libraryId: number, base: string): string {
    const taken = new Set(this.db.prepare(`SELECT name FROM clusters WHERE library_id = ?`).pluck().all(libraryId) as string[]);
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`;
  }

  private assign(t: EditTracker, photoIds: number[], clusterId: number): void {
    t.touchAssignments(photoIds);
    const upsert = this.db.prepare(
      `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, NULL, 'user', NULL, 0)
       ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, source = 'user', is_new = 0`,
    );
    const unreject = this.db.prepare(`DELETE FROM rejections WHERE photo_id = ? AND cluster_id = ?`);
    for (const photoId of photoIds) {
      upsert.run(photoId, clusterId);
      // Putting a photo somewhere by hand overrides an earlier "not this group" for that group.
      t.touchRejection(photoId, clusterId);
      unreject.run(photoId, clusterId);
    }
  }

  /** Moves photos between groups as a merge or split does: each keeps its source and confidence unless the rules say otherwise. */
  private regroup(t: EditTracker, photoIds: number[], clusterId: number, kind: 'merge' | 'split'): void {
    t.touchAssignments(photoIds);
    const read = this.db.prepare(`SELECT source FROM assignments WHERE photo_id = ?`).pluck();
    const update = this.db.prepare(`UPDATE assignments SET cluster_id = ?, source = ? WHERE photo_id = ?`);
    for (const photoId of photoIds) {
      const before = (read.get(photoId) as 'model' | 'user' | undefined) ?? null;
      update.run(clusterId, sourceAfter(kind, before), photoId);
    }
  }

  /** Groups a user edit emptied are removed (tracked, so undo restores them). */
  private dropEmptied(t: EditTracker, libraryId: number): void {
    const empty = this.db
      .prepare(`SELECT c.id FROM clusters c WHERE c.library_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.cluster_id = c.id)`)
      .pluck()
      .all(libraryId) as number[];
    for (const id of empty) t.deleteCluster(id);
  }

  private nextBest(photoId: number, byModelIndex: Map<number, number>): { clusterId: number; p: number } | null {
    const row = this.db.prepare(`SELECT probs FROM embeddings WHERE photo_id = ?`).get(photoId) as { probs: Buffer } | undefined;
    if (!row) return null;
    const rejected = new Set(this.db.prepare(`SELECT cluster_id FROM rejections WHERE photo_id = ?`).pluck().all(photoId) as number[]);
    const probs = decodeFloat32(row.probs);
    let best: { clusterId: number; p: number } | null = null;
    probs.forEach((p, index) => {
      const clusterId = byModelIndex.get(index);
      if (clusterId === undefined || rejected.has(clusterId)) return;
      if (!best || p > best.p) best = { clusterId, p };
    });
    return best;
  }

  private cluster(id: number): ClusterRow {
    const row = this.db.prepare(`SELECT * FROM clusters WHERE id = ?`).get(id) as ClusterRow | undefined;
    if (!row) throw new ApiError('not_found', `no group ${id}`);
    return row;
  }

  private libraryOfPhotos(photoIds: number[]): number {
    const unique = [...new Set(photoIds)];
    const libs = new Set<number>();
    const stmt = this.db.prepare(`SELECT library_id FROM photos WHERE id = ?`).pluck();
    for (const id of unique) {
      const lib = stmt.get(id) as number | undefined;
      if (lib === undefined) throw new ApiError('not_found', `no photo ${id}`);
      libs.add(lib);
    }
    if (libs.size !== 1) throw new ApiError('bad_request', 'the photos belong to different libraries');
    return [...libs][0]!;
  }
}

interface ClusterRow {
  id: number;
  library_id: number;
  name: string;
}
