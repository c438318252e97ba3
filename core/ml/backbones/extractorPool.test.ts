import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { createFeatureExtractor } from './extractor.js';
import { createParallelExtractor } from './extractorPool.js';
import { initBackend } from '../runtime/backend.js';

const ID = 'mobilenet_v2_1.0_224_int8_tflite';
const dir = path.join(sharedDir(), 'models', ID);

describe('createParallelExtractor', () => {
  let par: Awaited<ReturnType<typeof createParallelExtractor>>;
  beforeAll(async () => {
    await initBackend('wasm');
    par = await createParallelExtractor(ID, { dir, runtime: 'tfjs', inputSize: 64, workers: 2 });
  });
  afterAll(() => par.dispose());

  it('splits a batch over worker threads and returns the same features as one extractor', async () => {
    const imgs = await loadCifar(['cat', 'ship', 'frog'], 3);
    const one = await createFeatureExtractor(ID, { dir, runtime: 'tfjs', inputSize: 64 });
    const want = await one.extract(imgs.pixels, imgs.n, imgs.side);
    one.dispose();
    const got = await par.extract(imgs.pixels, imgs.n, imgs.side);
    expect(par.workers).toBe(2);
    expect([par.embeddingDim, par.shallowDim, par.cacheKey, par.runtime]).toEqual([1280, 384, `${ID}@64/f1`, 'tfjs']);
    expect(got.embedding).toEqual(want.embedding);
    expect(got.shallow).toEqual(want.shallow);
    // Fewer images than workers still works.
    const single = await par.extract(imgs.pixels.subarray(0, 32 * 32 * 3), 1, 32);
    expect(single.embedding).toEqual(want.embedding.subarray(0, 1280));
  });

  it('rejects a malformed batch without killing the workers', async () => {
    await expect(par.extract(new Uint8Array(5), 1, 32)).rejects.toThrow(/expected 1×32×32×3/);
    const ok = await par.extract(new Uint8Array(2 * 16 * 16 * 3).fill(128), 2, 16);
    expect(ok.embedding).toHaveLength(2 * 1280);
  });
});

describe('createParallelExtractor start-up failure', () => {
  it('reports a worker that cannot load its backbone', async () => {
    await expect(createParallelExtractor(ID, { dir: path.join(sharedDir(), 'models', 'no-such-dir'), runtime: 'tfjs', workers: 1 })).rejects.toThrow(/no-such-dir|ENOENT/);
  });
});
