/**
 * Cached backbone features, one row per content hash × feature key × view (0 = the photo itself, 1.. = augmented
 * views). The feature key names everything the numbers depend on (backbone, input size, pixel source, augmentation
 * recipe), so a new key simply misses the cache; content that changes gets a new hash and misses it too.
 */
import type { Database } from './db.js';
import { stmt } from './statements.js';
import { decodeFloat32, encodeFloat32 } from './vectors.js';

export interface FeatureRecord {
  hash: string;
  view: number;
  embedding: Float32Array;
  shallow: Float32Array | null;
}

export class FeatureTable {
  private readonly selectViews;
  private readonly selectOne;
  private readonly upsert;

  constructor(private readonly db: Database) {
    this.selectViews = db.prepare(`SELECT view FROM features WHERE content_hash = ? AND backbone = ?`).pluck();
    this.selectOne = db.prepare(`SELECT embedding, shallow FROM features WHERE content_hash = ? AND backbone = ? AND view = ?`);
    this.upsert = db.prepare(
      `INSERT INTO features (content_hash, backbone, view, embedding, shallow) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(content_hash, backbone, view) DO UPDATE SET embedding = excluded.embedding, shallow = excluded.shallow`,
    );
  }

  /** The views stored under `key` for each of `hashes` (hashes with none are absent from the map). */
  presentViews(key: string, hashes: readonly string[]): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const hash of hashes) {
      const views = this.selectViews.all(hash, key) as number[];
      if (views.length) out.set(hash, new Set(views));
    }
    return out;
  }

  /** Stores rows in one short write transaction (readers keep reading meanwhile: WAL). */
  put(key: string, rows: readonly FeatureRecord[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run(r.hash, key, r.view, encodeFloat32(r.embedding), r.shallow ? encodeFloat32(r.shallow) : null);
    })();
  }

  get(key: string, hash: string, view: number): FeatureRecord | undefined {
    const row = this.selectOne.get(hash, key, view) as { embedding: Buffer; shallow: Buffer | null } | undefined;
    if (!row) return undefined;
    return { hash, view, embedding: decodeFloat32(row.embedding), shallow: row.shallow ? decodeFloat32(row.shallow) : null };
  }

  /** Removes features of contents no photo in any library has any more; returns the number of rows removed. */
  pruneOrphans(): number {
    return stmt(this.db, `DELETE FROM features WHERE content_hash NOT IN (SELECT content_hash FROM photos WHERE content_hash IS NOT NULL)`).run().changes;
  }
}
