import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../runtime/tf.js';
import { initBackend, type BackendInfo } from '../runtime/backend.js';
import { OutOfMemoryError, wasmHeapBytes } from '../runtime/memory.js';
import { Rng } from '../rng.js';
import { MemoryImageSource } from '../data/dataset.js';
import { trainScratch } from './trainScratch.js';
import { NotEnoughMemoryError } from './memoryPlan.js';

let backend: BackendInfo;

beforeAll(async () => {
  backend = await initBackend('wasm');
});

function images(n: number, size: number): MemoryImageSource {
  const r = new Rng(7);
  return new MemoryImageSource(Uint8Array.from({ length: n * size * size * 3 }, () => r.int(256)), size);
}

describe('from-scratch training on the processor (wasm)', () => {
  it(
    'at 96 px: a step of 64 images (two shards of 32 images and their augmented views) and a prediction of every image, in bounded memory',
    async () => {
      const before = tf.memory().numTensors;
      const { model, config, training, predictions } = await trainScratch({ source: images(64, 96), k: 2, inputSize: 96, backend, seed: 1, epochs: 1, config: { passes: 1 } });
      expect(config).toMatchObject({ miniBatch: 64, shards: 2, stageWise: true, inferenceBatch: 28 });
      expect(training).toMatchObject({ status: 'completed', steps: 1, epochsCompleted: 1 });
      for (const v of Object.values(training.history[0]!.loss)) expect(Number.isFinite(v)).toBe(true);
      expect(predictions).toHaveLength(64);
      for (const p of predictions) expect(p.confidence).toBeGreaterThanOrEqual(0.5);
      // This thread computed one shard, the targets, the BatchNorm statistics and the predictions (one recorded pass
      // would need more than the 4 GiB a wasm memory can have).
      expect(wasmHeapBytes()).toBeLessThan(3 * 2 ** 30);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
    600_000,
  );

  it('running out of memory during a step ends the run with the plain-words error, frees what the step held, and the backend keeps working', async () => {
    const module = (tf.backend() as unknown as { wasm: { _malloc(bytes: number): number } }).wasm;
    const malloc = module._malloc;
    const before = tf.memory().numTensors;
    let err: unknown;
    try {
      await trainScratch({
        source: images(64, 32),
        k: 2,
        inputSize: 32,
        backend,
        seed: 1,
        epochs: 1,
        config: { passes: 1 },
        // In the first step this thread's memory "cannot grow" any more after ten activation-sized blocks (a shard's
        // activations are 13–15 MB): the failure comes half-way through the recorded forward pass.
        onEvent: (e) => {
          if (e.type !== 'targets') return;
          let big = 0;
          module._malloc = (bytes: number): number => {
            if (bytes > 8 * 2 ** 20 && ++big > 10) throw new OutOfMemoryError('the processor backend ran out of memory', `test: refused ${bytes} bytes`);
            return malloc(bytes);
          };
        },
      });
    } catch (e) {
      err = e;
    } finally {
      module._malloc = malloc;
    }
    expect(err).toBeInstanceOf(NotEnoughMemoryError);
    expect((err as Error).message).toBe('There is not enough memory to train on the processor. Close other programs and try again, or use a computer with more memory.');
    expect((err as NotEnoughMemoryError).details).toMatch(/^ran out of memory while training at 32 px on wasm \(test: refused \d+ bytes\)/);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync())).toEqual([4, 6]);
  });
});
