import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/tmp.js';
import { openDatabase } from './db.js';
import { getOrCreateLibrary } from './libraries.js';
import { EMPTY_CONTENT, insertPhoto } from './photos.js';
import { photoPage, type PhotoQuery } from './readModels.js';
import { sqlRun } from './testing.js';

describe('photoPage', () => {
  it('leaves a hidden group’s unsure photos out of the library-wide review, count included, but not out of that group', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const lib = getOrCreateLibrary(db, '/photos');
    const now = new Date().toISOString();
    sqlRun(db, `INSERT INTO clusters (id, library_id, name, hidden, created_at) VALUES (1, ?, 'Shown', 0, ?), (2, ?, 'Hidden', 1, ?)`, lib.id, now, lib.id, now);
    // Two unsure photos in each group, and one sure photo in the shown group.
    const place = [
      [1, 0.2],
      [1, 0.3],
      [1, 0.9],
      [2, 0.1],
      [2, 0.2],
    ] as const;
    place.forEach(([cluster, confidence], i) => {
      const name = `p${i}.jpg`;
      const id = insertPhoto(db, lib.id, { ...EMPTY_CONTENT, content_hash: `h${i}`, rel_path: Buffer.from(name), display_path: name, size: 1, mtime_ms: 1, status: 'ok', error: null });
      sqlRun(db, `INSERT INTO assignments (photo_id, cluster_id, confidence, source) VALUES (?, ?, ?, 'model')`, id, cluster, confidence);
    });
    const query = (clusterId?: number): PhotoQuery => ({ libraryId: lib.id, clusterId, filter: 'unsure', sort: 'confidence', order: 'asc', offset: 0, limit: 10, unsureBelow: 0.5 });

    const review = photoPage(db, query());
    expect(review.total).toBe(2);
    expect(review.rows.map((r) => r.display_path)).toEqual(['p0.jpg', 'p1.jpg']);
    expect(photoPage(db, query(2)).total).toBe(2);
    db.close();
  });
});
