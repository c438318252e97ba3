import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { MemoryImageSource } from '../data/dataset.js';
import { ImageViews } from '../data/augmentedViews.js';
import { train, type TrainConfig } from './trainer.js';
import { parallelExecutor } from './dataParallel.js';
import { TinyNet } from '../testing/tinyNet.js';

const TINY_MODULE = new URL('../testing/tinyNet.ts', import.meta.url).href;
const CONFIG: Partial<TrainConfig> = { epochs: 1, bigBatch: 12, miniBatch: 6, passes: 2, augmentedViews: 1, learningRate: 1e-2, miHidden: 8, inferenceBatch: 8, seed: 2, thresholds: { graph: 0.6, label: 0.3 } };

beforeAll(async () => {
  await initBackend('cpu');
});

describe('data-parallel gradient workers', () => {
  const r = new Rng(3);
  const source = new MemoryImageSource(Uint8Array.from({ length: 12 * 16 * 16 * 3 }, () => r.int(256)), 16);

  it('give exactly the result of computing the same shards in-process', async () => {
    const local = new TinyNet({ k: 3, seed: 1 });
    const before = tf.memory().numTensors;
    await train({ model: local, views: new ImageViews(source, 8), config: CONFIG, executor: parallelExecutor({ workers: 0, shards: 2, backend: 'cpu' }) });
    expect(tf.memory().numTensors).toBe(before);

    const threaded = new TinyNet({ k: 3, seed: 1 });
    const losses: number[] = [];
    await train({
      model: threaded,
      views: new ImageViews(source, 8),
      config: CONFIG,
      executor: parallelExecutor({ workers: 1, backend: 'cpu', modelModules: [TINY_MODULE] }),
      onEvent: (e) => {
        if (e.type === 'step') losses.push(e.loss.total);
      },
    });
    expect(losses).toHaveLength(4);
    const a = await local.getState();
    const b = await threaded.getState();
    for (const [name, v] of a) expect(Array.from(b.get(name)!.values), name).toEqual(Array.from(v.values));
    local.dispose();
    threaded.dispose();
  });

  it('differ from single-shard training only by the sharding itself', async () => {
    const one = new TinyNet({ k: 3, seed: 1 });
    const two = new TinyNet({ k: 3, seed: 1 });
    await train({ model: one, views: new ImageViews(source, 8), config: CONFIG });
    await train({ model: two, views: new ImageViews(source, 8), config: CONFIG, executor: parallelExecutor({ workers: 0, shards: 2, backend: 'cpu' }) });
    const a = (await one.getState()).get('c1/kernel')!.values;
    const b = (await two.getState()).get('c1/kernel')!.values;
    expect(Array.from(a)).not.toEqual(Array.from(b));
    one.dispose();
    two.dispose();
  });
});
