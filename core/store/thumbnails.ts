import type { Database } from './db.js';
import { nowIso, stmt } from './statements.js';

export interface ThumbnailRow {
  content_hash: string;
  thumb_width: number;
  thumb_height: number;
  thumb_bytes: number;
  input_size: number;
  created_at: string;
}

export function upsertThumbnail(db: Database, row: Omit<ThumbnailRow, 'created_at'>): void {
  stmt(
    db,
    `INSERT INTO thumbnails (content_hash, thumb_width, thumb_height, thumb_bytes, input_size, created_at)
     VALUES (@content_hash, @thumb_width, @thumb_height, @thumb_bytes, @input_size, @created_at)
     ON CONFLICT (content_hash) DO UPDATE SET thumb_width = excluded.thumb_width, thumb_height = excluded.thumb_height,
       thumb_bytes = excluded.thumb_bytes, input_size = excluded.input_size, created_at = excluded.created_at`,
  ).run({ ...row, created_at: nowIso() });
}
