/** Read-side queries behind the contract: libraries, groups, photos, runs. */
import path from 'node:path';
import type { Database } from '../store/db.js';
import type { StoredScanError } from '../store/scanRuns.js';
import { ApiError, type ClusterInfo, type EmbeddingSet, type EpochStats, type LibraryInfo, type PhotoDetails, type PhotoInfo, type PhotoPage, type RunInfo, type ScanErrorInfo } from '../api.js';

/**
 * Below this confidence a model-assigned photo is "unsure" and offered for review: confidences are calibrated
 * (core/ml/finetune/confidence.ts), so these are the photos more likely to be of another kind than their group's.
 */
export const UNSURE_BELOW = 0.5;

interface LibraryRow {
  id: number;
  root: string;
  last_scanned_at: string | null;
  current_run_id: number | null;
}

export function getLibrary(db: Database, libraryId: number): LibraryInfo {
  const row = db.prepare(`SELECT id, root, last_scanned_at, current_run_id FROM libraries WHERE id = ?`).get(libraryId) as LibraryRow | undefined;
  if (!row) throw new ApiError('not_found', `no library ${libraryId}`);
  return toLibraryInfo(db, row);
}

export function listLibraries(db: Database): LibraryInfo[] {
  const rows = db.prepare(`SELECT id, root, last_scanned_at, current_run_id FROM libraries ORDER BY COALESCE(last_scanned_at, created_at) DESC`).all() as LibraryRow[];
  return rows.map((r) => toLibraryInfo(db, r));
}

function toLibraryInfo(db: Database, row: LibraryRow): LibraryInfo {
  const counts = db
    .prepare(
      `SELECT
         SUM(status = 'ok') AS ok, SUM(status = 'error') AS failed, SUM(status = 'missing') AS missing,
         SUM(status = 'ok' AND duplicate_of IS NOT NULL) AS duplicates
       FROM photos WHERE library_id = ?`,
    )
    .get(row.id) as { ok: number | null; failed: number | null; missing: number | null; duplicates: number | null };
  const clusterCount = db.prepare(`SELECT COUNT(*) FROM clusters WHERE library_id = ?`).pluck().get(row.id) as number;
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
  };
}

export function listClusters(db: Database, libraryId: number, includeHidden: boolean): ClusterInfo[] {
  getLibrary(db, libraryId);
  const rows = db
    .prepare(
      `SELECT c.id, c.library_id, c.name, c.hidden, c.user_named, COUNT(p.id) AS size, AVG(CASE WHEN p.id IS NOT NULL THEN a.confidence END) AS mean_conf
       FROM clusters c LEFT JOIN assignments a ON a.cluster_id = c.id
       LEFT JOIN photos p ON p.id = a.photo_id AND p.status = 'ok'
       WHERE c.library_id = ? ${includeHidden ? '' : 'AND c.hidden = 0'}
       GROUP BY c.id ORDER BY size DESC, c.id`,
    )
    .all(libraryId) as Array<{ id: number; library_id: number; name: string; hidden: number; user_named: number; size: number; mean_conf: number | null }>;
  // The cover mosaic shows the photos the model is surest about (hand-placed ones have no confidence, so they come last).
  const covers = db.prepare(
    `SELECT a.photo_id FROM assignments a JOIN photos p ON p.id = a.photo_id
     WHERE a.cluster_id = ? AND p.status = 'ok' ORDER BY a.confidence IS NULL, a.confidence DESC, a.photo_id LIMIT 4`,
  );
  return rows.map((r) => ({
    id: r.id,
    libraryId: r.library_id,
    name: r.name,
    size: r.size,
    meanConfidence: r.mean_conf,
    hidden: r.hidden === 1,
    coverPhotoIds: covers.pluck().all(r.id) as number[],
    userNamed: r.user_named === 1,
  }));
}

interface PhotoRow {
  id: number;
  display_path: string;
  width: number | null;
  height: number | null;
  taken_at: string | null;
  status: PhotoInfo['status'];
  cluster_id: number | null;
  confidence: number | null;
  source: PhotoInfo['source'];
  is_new: number | null;
}

const PHOTO_COLUMNS = `p.id, p.display_path, p.width, p.height, p.taken_at, p.status, a.cluster_id, a.confidence, a.source, a.is_new`;

function toPhotoInfo(r: PhotoRow): PhotoInfo {
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

export interface PhotoQuery {
  libraryId: number;
  clusterId?: number | null | undefined;
  filter: 'all' | 'unsure' | 'new' | 'failed';
  sort: 'confidence' | 'name' | 'date';
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export function listPhotos(db: Database, q: PhotoQuery): PhotoPage {
  getLibrary(db, q.libraryId);
  const where = ['p.library_id = @libraryId'];
  if (q.filter === 'failed') where.push(`p.status = 'error'`);
  else where.push(`p.status = 'ok'`);
  if (q.clusterId === null) where.push('a.cluster_id IS NULL');
  else if (q.clusterId !== undefined) where.push('a.cluster_id = @clusterId');
  if (q.filter === 'unsure') where.push(`a.source = 'model' AND a.confidence < ${UNSURE_BELOW}`);
  if (q.filter === 'new') where.push('a.is_new = 1');
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  // Review wants the least sure first whatever the UI's default order is.
  const order =
    q.filter === 'unsure'
      ? 'a.confidence ASC, p.id'
      : q.sort === 'name'
        ? `p.display_path ${dir}, p.id`
        : q.sort === 'date'
          ? `COALESCE(p.taken_at, datetime(p.mtime_ms / 1000, 'unixepoch')) ${dir}, p.id`
          : `a.confidence IS NULL, a.confidence ${dir}, p.id`;
  const from = `FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id WHERE ${where.join(' AND ')}`;
  const params = { libraryId: q.libraryId, clusterId: q.clusterId ?? null };
  const total = db.prepare(`SELECT COUNT(*) ${from}`).pluck().get(params) as number;
  const rows = db.prepare(`SELECT ${PHOTO_COLUMNS} ${from} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit, offset: q.offset }) as PhotoRow[];
  return { total, items: rows.map(toPhotoInfo) };
}

export function getPhoto(db: Database, photoId: number): PhotoDetails {
  const row = db
    .prepare(
      `SELECT ${PHOTO_COLUMNS}, p.size, p.mtime_ms, p.camera_make, p.camera_model, p.format, p.content_hash, p.error, p.duplicate_of
       FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id WHERE p.id = ?`,
    )
    .get(photoId) as
    | (PhotoRow & { size: number; mtime_ms: number; camera_make: string | null; camera_model: string | null; format: string | null; content_hash: string | null; error: string | null; duplicate_of: number | null })
    | undefined;
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
  };
}

export function getEmbeddings(db: Database, libraryId: number): EmbeddingSet {
  getLibrary(db, libraryId);
  const rows = db
    .prepare(
      `SELECT e.photo_id AS photoId, e.vector AS vector, a.cluster_id AS clusterId FROM embeddings e
       JOIN photos p ON p.id = e.photo_id LEFT JOIN assignments a ON a.photo_id = e.photo_id
       WHERE p.library_id = ? AND p.status = 'ok' ORDER BY e.photo_id`,
    )
    .all(libraryId) as Array<{ photoId: number; vector: Buffer; clusterId: number | null }>;
  const dim = rows[0] ? rows[0].vector.byteLength / 4 : 0;
  const data = Buffer.concat(rows.filter((r) => r.vector.byteLength === dim * 4).map((r) => r.vector));
  const kept = rows.filter((r) => r.vector.byteLength === dim * 4);
  return { photoIds: kept.map((r) => r.photoId), clusterIds: kept.map((r) => r.clusterId), dim, data: data.toString('base64') };
}

interface RunRow {
  id: number;
  library_id: number;
  mode: RunInfo['mode'];
  backbone: string | null;
  backend: string;
  k: number;
  k_suggested: number | null;
  k_reasoning: string | null;
  config: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  loss_history: string;
}

export function listRuns(db: Database, libraryId: number): RunInfo[] {
  const lib = getLibrary(db, libraryId);
  const rows = db.prepare(`SELECT * FROM runs WHERE library_id = ? ORDER BY id DESC`).all(libraryId) as RunRow[];
  return rows.map((r) => {
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
  const run = db
    .prepare(`SELECT errors FROM scan_runs WHERE library_id = ? AND state IN ('completed', 'cancelled') ORDER BY id DESC LIMIT 1`)
    .get(libraryId) as { errors: string } | undefined;
  const errors = run ? (JSON.parse(run.errors) as StoredScanError[]) : [];
  // By raw bytes: display paths of names that differ only in bytes that are not UTF-8 are equal. Runs stored before
  // the bytes were kept fall back to the display path, where it names one photo only.
  const idByRel = db.prepare(`SELECT id FROM photos WHERE library_id = ? AND rel_path = ?`).pluck();
  const idsByDisplay = db.prepare(`SELECT id FROM photos WHERE library_id = ? AND display_path = ? LIMIT 2`).pluck();
  const photoIdOf = (e: StoredScanError): number | null => {
    if (e.rel !== undefined) return (idByRel.get(libraryId, Buffer.from(e.rel, 'hex')) as number | undefined) ?? null;
    const ids = idsByDisplay.all(libraryId, e.path) as number[];
    return ids.length === 1 ? ids[0]! : null;
  };
  const items = errors.slice(offset, offset + limit).map((e) => ({ photoId: photoIdOf(e), path: e.path, reason: e.reason }));
  return { total: errors.length, items };
}
