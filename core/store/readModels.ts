/** What the screens read: counts, group summaries, pages of photos. Rows only; the service maps them to the contract. */
import type { Database } from './db.js';
import type { AssignmentRow } from './groups.js';
import type { PhotoRow } from './photos.js';
import { column, stmt } from './statements.js';

export interface LibraryCounts {
  ok: number | null;
  failed: number | null;
  missing: number | null;
  duplicates: number | null;
}

export function libraryCounts(db: Database, libraryId: number): LibraryCounts {
  return stmt<[number], LibraryCounts>(
    db,
    `SELECT
       SUM(status = 'ok') AS ok, SUM(status = 'error') AS failed, SUM(status = 'missing') AS missing,
       SUM(status = 'ok' AND duplicate_of IS NOT NULL) AS duplicates
     FROM photos WHERE library_id = ?`,
  ).get(libraryId)!;
}

export interface GroupSummaryRow {
  id: number;
  library_id: number;
  name: string;
  hidden: number;
  user_named: number;
  /** Usable photos in the group. */
  size: number;
  mean_conf: number | null;
}

/** Largest first. */
export function groupSummaries(db: Database, libraryId: number, includeHidden: boolean): GroupSummaryRow[] {
  return stmt<[number], GroupSummaryRow>(
    db,
    `SELECT c.id, c.library_id, c.name, c.hidden, c.user_named, COUNT(p.id) AS size, AVG(CASE WHEN p.id IS NOT NULL THEN a.confidence END) AS mean_conf
     FROM clusters c LEFT JOIN assignments a ON a.cluster_id = c.id
     LEFT JOIN photos p ON p.id = a.photo_id AND p.status = 'ok'
     WHERE c.library_id = ? ${includeHidden ? '' : 'AND c.hidden = 0'}
     GROUP BY c.id ORDER BY size DESC, c.id`,
  ).all(libraryId);
}

/** The cover mosaic shows the photos the model is surest about (hand-placed ones have no confidence, so they come last). */
export function groupCoverPhotoIds(db: Database, clusterId: number): number[] {
  return column<[number], number>(
    db,
    `SELECT a.photo_id FROM assignments a JOIN photos p ON p.id = a.photo_id
     WHERE a.cluster_id = ? AND p.status = 'ok' ORDER BY a.confidence IS NULL, a.confidence DESC, a.photo_id LIMIT 4`,
  ).all(clusterId);
}

/** A photo as lists show it: its file facts and where it is (assignment columns null when in no group). */
export type PhotoListRow = Pick<PhotoRow, 'id' | 'display_path' | 'width' | 'height' | 'taken_at' | 'status'> & {
  cluster_id: number | null;
  confidence: number | null;
  source: AssignmentRow['source'] | null;
  is_new: number | null;
};

export type PhotoDetailRow = PhotoListRow &
  Pick<PhotoRow, 'library_id' | 'size' | 'mtime_ms' | 'camera_make' | 'camera_model' | 'format' | 'content_hash' | 'error' | 'duplicate_of'>;

const PHOTO_COLUMNS = `p.id, p.display_path, p.width, p.height, p.taken_at, p.status, a.cluster_id, a.confidence, a.source, a.is_new`;

export interface PhotoQuery {
  libraryId: number;
  /** null: photos in no group; undefined: any. */
  clusterId?: number | null | undefined;
  filter: 'all' | 'unsure' | 'new' | 'failed';
  sort: 'confidence' | 'name' | 'date';
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** Model-placed photos below this confidence are the 'unsure' ones. */
  unsureBelow: number;
}

export function photoPage(db: Database, q: PhotoQuery): { total: number; rows: PhotoListRow[] } {
  const where = ['p.library_id = @libraryId'];
  if (q.filter === 'failed') where.push(`p.status = 'error'`);
  else where.push(`p.status = 'ok'`);
  if (q.clusterId === null) where.push('a.cluster_id IS NULL');
  else if (q.clusterId !== undefined) where.push('a.cluster_id = @clusterId');
  if (q.filter === 'unsure') {
    where.push(`a.source = 'model' AND a.confidence < ${Number(q.unsureBelow)}`);
    // Hidden means hidden everywhere: across the library, review neither offers nor counts a hidden group's photos
    // (a hidden group's own gallery, asked for by id, still lists them).
    if (q.clusterId === undefined) where.push('a.cluster_id NOT IN (SELECT id FROM clusters WHERE hidden = 1)');
  }
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
  const total = column<[typeof params], number>(db, `SELECT COUNT(*) ${from}`).get(params)!;
  const rows = stmt<[typeof params & { limit: number; offset: number }], PhotoListRow>(db, `SELECT ${PHOTO_COLUMNS} ${from} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all({
    ...params,
    limit: q.limit,
    offset: q.offset,
  });
  return { total, rows };
}

export function photoDetail(db: Database, photoId: number): PhotoDetailRow | undefined {
  return stmt<[number], PhotoDetailRow>(
    db,
    `SELECT ${PHOTO_COLUMNS}, p.library_id, p.size, p.mtime_ms, p.camera_make, p.camera_model, p.format, p.content_hash, p.error, p.duplicate_of
     FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id WHERE p.id = ?`,
  ).get(photoId);
}
