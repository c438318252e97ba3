/** The user's edits to groups: rename, move, merge, split, hide, "not this group", accept — each one undoable edit. */
import type { Database } from '../store/db.js';
import { ApiError, type EditInfo } from '../api.js';
import { EditLog, type EditTracker } from './edits.js';
import { decodeFloat32 } from '../store/vectors.js';
import {
  addRejection,
  clusterNames,
  deleteAssignment,
  emptyClusterIds,
  getAssignment,
  getCluster,
  groupsByModelOutput,
  moveAssignment,
  moveRejectedPhoto,
  photosInClusters,
  pinAssignment,
  placeByUser,
  removeRejection,
  renameCluster,
  setClusterHidden,
  type ClusterRow,
} from '../store/groups.js';
import { libraryOfPhoto } from '../store/photos.js';
import { groupEmbeddings } from '../store/runs.js';
import { sourceAfter } from './editRules.js';
import { groupCentres, likelyGroups, modelProbability } from './likelyGroups.js';

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
      renameCluster(this.db, clusterId, name);
    });
    return { edit, createdClusterIds: [], libraryId: cluster.library_id };
  }

  setHidden(clusterId: number, hidden: boolean): EditOutcome {
    const cluster = this.cluster(clusterId);
    const { edit } = this.log.record(cluster.library_id, 'hide', `${hidden ? 'Hid' : 'Showed'} “${cluster.name}”`, (t) => {
      t.touchCluster(clusterId);
      setClusterHidden(this.db, clusterId, hidden);
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
      this.regroup(t, photosInClusters(this.db, others.map((c) => c.id)), into.id, 'merge');
      for (const c of others) t.deleteCluster(c.id);
      if (name !== undefined) renameCluster(this.db, into.id, name);
    });
    return { edit, createdClusterIds: [], libraryId };
  }

  /** Re-clusters one group's photos into `n` parts from their stored embeddings; the largest part keeps the group. */
  split(clusterId: number, n: number, partition: Partitioner): EditOutcome {
    const cluster = this.cluster(clusterId);
    const rows = groupEmbeddings(this.db, clusterId);
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
    // The groups as they were: photos rejected together do not pull each other's next group around.
    const centres = groupCentres(this.db, libraryId);
    const byModelOutput = groupsByModelOutput(this.db, libraryId);
    const label = photoIds.length === 1 ? '1 photo' : `${photoIds.length} photos`;
    const { edit } = this.log.record(libraryId, 'reject', `Marked ${label} as not “${cluster.name}”`, (t) => {
      t.touchAssignments(photoIds);
      for (const photoId of photoIds) {
        t.touchRejection(photoId, clusterId);
        addRejection(this.db, photoId, clusterId);
        const current = getAssignment(this.db, photoId)?.cluster_id;
        if (current !== clusterId) continue; // already elsewhere: only remember the rejection
        const next = likelyGroups(this.db, libraryId, photoId, null, centres)[0] ?? null;
        if (next === null) deleteAssignment(this.db, photoId);
        else moveRejectedPhoto(this.db, photoId, next.clusterId, modelProbability(this.db, libraryId, photoId, next.clusterId, byModelOutput));
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
      for (const id of photoIds) pinAssignment(this.db, id);
    });
    return { edit, createdClusterIds: [], libraryId };
  }

  /** A name not yet used in the library: `base`, `base 2`, `base 3`… */
  uniqueName(libraryId: number, base: string): string {
    const taken = new Set(clusterNames(this.db, libraryId));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base} ${i}`)) return `${base} ${i}`;
  }

  private assign(t: EditTracker, photoIds: number[], clusterId: number): void {
    t.touchAssignments(photoIds);
    for (const photoId of photoIds) {
      placeByUser(this.db, photoId, clusterId);
      // Putting a photo somewhere by hand overrides an earlier "not this group" for that group.
      t.touchRejection(photoId, clusterId);
      removeRejection(this.db, photoId, clusterId);
    }
  }

  /** Moves photos between groups as a merge or split does: each keeps its source and confidence unless the rules say otherwise. */
  private regroup(t: EditTracker, photoIds: number[], clusterId: number, kind: 'merge' | 'split'): void {
    t.touchAssignments(photoIds);
    for (const photoId of photoIds) {
      const before = getAssignment(this.db, photoId)?.source ?? null;
      moveAssignment(this.db, photoId, clusterId, sourceAfter(kind, before));
    }
  }

  /** Groups a user edit emptied are removed (tracked, so undo restores them). */
  private dropEmptied(t: EditTracker, libraryId: number): void {
    for (const id of emptyClusterIds(this.db, libraryId)) t.deleteCluster(id);
  }

  private cluster(id: number): ClusterRow {
    const row = getCluster(this.db, id);
    if (!row) throw new ApiError('not_found', `no group ${id}`);
    return row;
  }

  private libraryOfPhotos(photoIds: number[]): number {
    const unique = [...new Set(photoIds)];
    const libs = new Set<number>();
    for (const id of unique) {
      const lib = libraryOfPhoto(this.db, id);
      if (lib === undefined) throw new ApiError('not_found', `no photo ${id}`);
      libs.add(lib);
    }
    if (libs.size !== 1) throw new ApiError('bad_request', 'the photos belong to different libraries');
    return [...libs][0]!;
  }
}
