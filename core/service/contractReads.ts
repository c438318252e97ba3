/** Read-side queries behind the contract: the store's read models mapped to the contract's types. */
import path from 'node:path';
import type { Database } from '../store/db.js';
import { getLibrary as libraryRow, listLibrariesByUse, type LibraryRow } from '../store/libraries.js';
import { countClusters } from '../store/groups.js';
import { photosPlacedByHandUnder } from '../store/editLog.js';
import { photoIdAt, photoIdsShownAs } from '../store/photos.js';
import { groupCoverPhotoIds, groupSummaries, libraryCounts, photoDetail, photoPage, type PhotoListRow, type PhotoQuery as StoredPhotoQuery } from '../store/readModels.js';
import { suggestedNames } from '../store/groupNames.js';
import { libraryEmbeddings, listRunRows } from '../store/runs.js';
import { lastFinishedScanErrors, type StoredScanError } from '../store/scanRuns.js';
import { likelyGroups } from './likelyGroups.js';
import { ApiError, type ClusterInfo, type EmbeddingSet, type EpochStats, type LibraryInfo, type PhotoDetails, type PhotoInfo, type PhotoPage, type RunInfo, type ScanErrorInfo } from '../api.js';

/**
 * Below this confidence a model-assigned photo is "unsure" and offered for review: confidences are calibrated
 * (core/ml/finetune/confidence.ts), so these are the photos more likely to be of another kind than their group's.
 */
export const UNSURE_BELOW = 0.5;

export function getLibrary(db: Database, libraryId: number): LibraryInfo {
  const row = libraryRow(db, libraryId);
  if (!row) throw new ApiError('not_found', `no library ${libraryId}`);
  return toLibraryInfo(db, row);
}

export function listLibraries(db: Database): LibraryInfo[] {
  return listLibrariesByUse(db).map((r) => toLibraryInfo(db, r));
}

function toLibraryInfo(db: Database, row: LibraryRow): LibraryInfo {
  const counts = libraryCounts(db, row.id);
  const clusterCount = countClusters(db, row.id);
  return {
    id: row.id,
    root: row.root,
    name: path.basename(row.root) || row.root,
    photoCount: counts.ok ?? 0,
    failedCount: counts.failed ?? 0,
    missingCount: counts.missing ?? 0,
    duplicateCount: counts.duplicates ?? 0,
    lastScanAt: row.last_scanned_at,
    currentRunId: row.current_run_id,
    clusterCount,
    placedByHandSinceGrouping: row.current_run_id === null ? 0 : photosPlacedByHandUnder(db, row.id, row.current_run_id),
  };
}

export function listClusters(db: Database, libraryId: number, includeHidden: boolean): ClusterInfo[] {
  getLibrary(db, libraryId);
  const suggested = suggestedNames(db, libraryId);
  return groupSummaries(db, libraryId, includeHidden).map((r) => ({
    id: r.id,
    libraryId: r.library_id,
    name: r.name,
    size: r.size,
    meanConfidence: r.mean_conf,
    hidden: r.hidden === 1,
    coverPhotoIds: groupCoverPhotoIds(db, r.id),
    userNamed: r.user_named === 1,
    suggestedName: r.user_named === 1 ? null : (suggested.get(r.id)?.name ?? null),
  }));
}

function toPhotoInfo(r: PhotoListRow): PhotoInfo {
  return {
    id: r.id,
    name: path.posix.basename(r.display_path),
    relPath: r.display_path,
    width: r.width,
    height: r.height,
    takenAt: r.taken_at,
    clusterId: r.cluster_id,
    confidence: r.confidence,
    source: r.source ?? null,
    isNew: r.is_new === 1,
    status: r.status,
  };
}

export type PhotoQuery = Omit<StoredPhotoQuery, 'unsureBelow'>;

export function listPhotos(db: Database, q: PhotoQuery): PhotoPage {
  getLibrary(db, q.libraryId);
  const { total, rows } = photoPage(db, { ...q, unsureBelow: UNSURE_BELOW });
  return { total, items: rows.map(toPhotoInfo) };
}

export function getPhoto(db: Database, photoId: number): PhotoDetails {
  const row = photoDetail(db, photoId);
  if (!row) throw new ApiError('not_found', `no photo ${photoId}`);
  return {
    ...toPhotoInfo(row),
    size: row.size,
    modifiedAt: new Date(row.mtime_ms).toISOString(),
    cameraMake: row.camera_make,
    cameraModel: row.camera_model,
    format: row.format,
    sha256: row.content_hash,
    error: row.error,
    duplicateOf: row.duplicate_of,
    likelyGroups: likelyGroups(db, row.library_id, photoId, row.cluster_id).map((g) => g.clusterId),
  };
}

export function getEmbeddings(db: Database, libraryId: number): EmbeddingSet {
  getLibrary(db, libraryId);
  const rows = libraryEmbeddings(db, libraryId);
  const dim = rows[0] ? rows[0].vector.byteLength / 4 : 0;
  const data = Buffer.concat(rows.filter((r) => r.vector.byteLength === dim * 4).map((r) => r.vector));
  const kept = rows.filter((r) => r.vector.byteLength === dim * 4);
  return { photoIds: kept.map((r) => r.photoId), clusterIds: kept.map((r) => r.clusterId), dim, data: data.toString('base64') };
}

/**
 * How a fine-tune run's groups were made, from its config JSON (`partition`, written by the ML worker). Runs recorded
 * before `trained` was kept all trained a network; anything unreadable reads as null.
 */
export function groupsFrom(config: Record<string, unknown>): RunInfo['groupsFrom'] {
  const p = config.partition;
  if (typeof p !== 'object' || p === null) return null;
  const { shipped, trained } = p as Record<string, unknown>;
  if (shipped === 'guided') return 'guided';
  if (shipped === 'head') return 'network';
  if (shipped === 'kmeans') return trained === false ? 'kmeans' : 'kmeans-checked';
  return null;
}

/**
 * What a run learned from the user's placements, from its config JSON (`guided`, written by the ML worker). Anything
 * but two whole counts from 1 — a run recorded before this was kept, or one that placed nothing — reads as null, so
 * the UI never claims learning that did not happen.
 */
export function learnedFrom(config: Record<string, unknown>): RunInfo['learnedFrom'] {
  const g = config.guided;
  if (typeof g !== 'object' || g === null) return null;
  const { photos, groups } = g as Record<string, unknown>;
  const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1;
  return count(photos) && count(groups) ? { photos, groups } : null;
}

export function listRuns(db: Database, libraryId: number): RunInfo[] {
  const lib = getLibrary(db, libraryId);
  return listRunRows(db, libraryId).map((r) => {
    const config = JSON.parse(r.config) as Record<string, unknown> & { partition?: { reason?: unknown } };
    return {
      id: r.id,
      libraryId: r.library_id,
      mode: r.mode,
      backbone: r.backbone,
      backend: r.backend,
      device: typeof config.device === 'string' ? config.device : null,
      k: r.k,
      kSuggested: r.k_suggested,
      kReasoning: r.k_reasoning,
      partitionNote: typeof config.partition?.reason === 'string' ? config.partition.reason : null,
      groupsFrom: groupsFrom(config),
      learnedFrom: learnedFrom(config),
      config,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      seconds: r.seconds,
      lossHistory: JSON.parse(r.loss_history) as EpochStats[],
      isCurrent: r.id === lib.currentRunId,
    };
  });
}

/** What the last finished scan could not use (files and folders), with reasons. */
export function listScanErrors(db: Database, libraryId: number, offset: number, limit: number): { total: number; items: ScanErrorInfo[] } {
  getLibrary(db, libraryId);
  const stored = lastFinishedScanErrors(db, libraryId);
  const errors = stored ? (JSON.parse(stored) as StoredScanError[]) : [];
  // By raw bytes: display paths of names that differ only in bytes that are not UTF-8 are equal. Runs stored before
  // the bytes were kept fall back to the display path, where it names one photo only.
  const photoIdOf = (e: StoredScanError): number | null => {
    if (e.rel !== undefined) return photoIdAt(db, libraryId, Buffer.from(e.rel, 'hex')) ?? null;
    const ids = photoIdsShownAs(db, libraryId, e.path);
    return ids.length === 1 ? ids[0]! : null;
  };
  const items = errors.slice(offset, offset + limit).map((e) => ({ photoId: photoIdOf(e), path: e.path, reason: e.reason }));
  return { total: errors.length, items };
}
