// The feature job against a real scan: photos on disk → cached 96 px inputs → backbone features in the library's
// SQLite database, recomputed only for new or changed content (backbone calls are counted).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { cifarDir } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { openDatabase, type Database } from '../../store/db.js';
import { FeatureTable } from '../../store/features.js';
import { sqlValue, sqlValues } from '../../store/testing.js';
import { scanLibrary } from '../../library/scan.js';
import { initBackend } from '../runtime/backend.js';
import { createFeatureExtractor, type FeatureExtractor } from '../backbones/extractor.js';
import { CachedInputSource } from '../data/cachedImages.js';
import { ensureFeatures, featureKey, loadFeatureMatrix, MemoryFeatureCache } from './backboneFeatures.js';
import { tf } from '../runtime/tf.js';

const BACKBONE = 'mobilenet_v1_0.75_224';

/** Wraps an extractor and counts the images that reach the backbone. */
function counting(ex: FeatureExtractor): FeatureExtractor & { images: number } {
  const counted = {
    ...ex,
    images: 0,
    async extract(pixels: Uint8Array, n: number, side: number) {
      counted.images += n;
      return ex.extract(pixels, n, side);
    },
    async extractTensor(images: tf.Tensor4D) {
      counted.images += images.shape[0];
      return ex.extractTensor(images);
    },
  };
  return counted;
}

describe('feature job and cache', () => {
  let dir: string;
  let root: string;
  let cacheDir: string;
  let db: Database;
  let extractor: FeatureExtractor & { images: number };
  let key: string;

  const hashes = () => sqlValues<string>(db, `SELECT content_hash FROM photos WHERE status = 'ok' ORDER BY rel_path`);
  const run = (augmentedViews: number) => {
    const ids = hashes();
    return ensureFeatures({ ids, images: new CachedInputSource(cacheDir, ids), extractor, cache: new FeatureTable(db), key, augmentedViews, batchSize: 4 });
  };

  beforeAll(async () => {
    await initBackend('wasm');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-features-'));
    root = path.join(dir, 'photos');
    cacheDir = path.join(dir, 'cache');
    fs.mkdirSync(root);
    for (const [cls, i] of [['ship', 0], ['ship', 1], ['cat', 0], ['cat', 1], ['frog', 0]] as const) {
      fs.copyFileSync(path.join(cifarDir(), cls, `000${i}.jpg`), path.join(root, `${cls}${i}.jpg`));
    }
    db = openDatabase(path.join(dir, 'library.db'));
    await scanLibrary({ db, root, cacheDir, concurrency: 2 });
    // 64 px keeps the test fast; the cache key records the size.
    extractor = counting(await createFeatureExtractor(BACKBONE, { dir: path.join(sharedDir(), 'models', BACKBONE), inputSize: 64, runtime: 'tfjs' }));
    key = featureKey(extractor.cacheKey, 'input96');
  });

  afterAll(() => {
    extractor?.dispose();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('computes every photo and view once, then serves them from the database', async () => {
    const first = await run(2);
    expect(first).toMatchObject({ computed: 5, cached: 0, backboneImages: 15 });
    expect(extractor.images).toBe(15);
    expect(sqlValue(db, `SELECT COUNT(*) FROM features WHERE backbone = ?`, key)).toBe(15);

    const again = await run(2);
    expect(again).toMatchObject({ computed: 0, cached: 5, backboneImages: 0 });
    expect(extractor.images).toBe(15);

    const m = loadFeatureMatrix(new FeatureTable(db), key, hashes());
    expect(m).toMatchObject({ n: 5, embeddingDim: 768, shallowDim: 4 * 4 * 96 });
    expect(m.embedding.some((v) => v > 0)).toBe(true);
  });

  it('recomputes only content that changed, and only views that are missing', async () => {
    const before = extractor.images;
    // cat1.jpg gets new content (another photo): a new content hash, so new features; the others stay cached.
    fs.copyFileSync(path.join(cifarDir(), 'dog', '0000.jpg'), path.join(root, 'cat1.jpg'));
    await scanLibrary({ db, root, cacheDir, concurrency: 2 });
    const changed = await run(2);
    expect(changed).toMatchObject({ computed: 1, cached: 4, backboneImages: 3 });
    expect(extractor.images - before).toBe(3);

    // One more augmented view per photo: only view 3 is computed.
    const more = await run(3);
    expect(more).toMatchObject({ computed: 5, cached: 0, backboneImages: 5 });
    expect(sqlValues<number>(db, `SELECT view FROM features WHERE backbone = ? GROUP BY view ORDER BY view`, key)).toEqual([0, 1, 2, 3]);

    // The old content's rows are orphans once no photo has it.
    expect(new FeatureTable(db).pruneOrphans()).toBe(3);
  });

  it('draws augmented views from the content alone, so a recomputed view is the same view', async () => {
    const ids = hashes();
    const images = new CachedInputSource(cacheDir, ids);
    const table = new FeatureTable(db);
    const memory = new MemoryFeatureCache();
    // Another batch composition and another cache: the same numbers for every view of every photo.
    await ensureFeatures({ ids: [...ids].reverse(), images: new CachedInputSource(cacheDir, [...ids].reverse()), extractor, cache: memory, key, augmentedViews: 3, batchSize: 3 });
    for (const id of ids) {
      for (const view of [0, 1, 3]) {
        const a = table.get(key, id, view)!.embedding;
        const b = memory.get(key, id, view)!.embedding;
        let maxDiff = 0;
        a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]!))));
        expect(maxDiff).toBeLessThan(1e-4);
      }
    }
    // Views differ from the photo itself and from each other.
    const v0 = table.get(key, ids[0]!, 0)!.embedding;
    const v1 = table.get(key, ids[0]!, 1)!.embedding;
    const v2 = table.get(key, ids[0]!, 2)!.embedding;
    const dist = (x: Float32Array, y: Float32Array) => Math.hypot(...x.map((v, i) => v - y[i]!));
    expect(dist(v0, v1)).toBeGreaterThan(0.1);
    expect(dist(v1, v2)).toBeGreaterThan(0.1);
    expect(images.count).toBe(5);
  });

  it('stops between batches when cancelled', async () => {
    const ids = hashes();
    const controller = new AbortController();
    const memory = new MemoryFeatureCache();
    const run = ensureFeatures({
      ids,
      images: new CachedInputSource(cacheDir, ids),
      extractor,
      cache: memory,
      key,
      augmentedViews: 0,
      batchSize: 2,
      signal: controller.signal,
      onProgress: (done) => done === 2 && controller.abort(),
    });
    await expect(run).rejects.toThrow();
    expect(memory.presentViews(key, ids).size).toBe(2);
  });
});
