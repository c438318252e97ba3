import { describe, expect, it } from 'vitest';
import { PAPER_TRAIN_CONFIG } from '../training/trainer.js';
import { inferenceBatchFor } from '../training/inference.js';
import { WASM_HEAP_LIMIT_BYTES } from '../runtime/memory.js';
import { recommendedTrainConfig } from './trainScratch.js';
import { estimateScratchMemory, NotEnoughMemoryError, planScratchMemory, shardRows, stageWiseFor, stepBytes } from './memoryPlan.js';

const GB = 2 ** 30;

describe('memory settings of from-scratch training', () => {
  it('leave the 32 px processor schedule exactly as it was', () => {
    expect(recommendedTrainConfig('wasm')).toEqual(recommendedTrainConfig('wasm', 32));
    expect(recommendedTrainConfig('cpu', 32)).toEqual({
      ...PAPER_TRAIN_CONFIG,
      epochs: 30,
      miniBatch: 64,
      shards: 2,
      passes: 2,
      augmentedViews: 1,
      learningRate: 1e-3,
      miHidden: 64,
      inferenceBatch: 256,
      stageWise: false,
    });
  });

  it('compute steps stage by stage from 64 px on the processor, and change nothing else of the schedule', () => {
    expect(shardRows(recommendedTrainConfig('wasm', 96))).toBe(64);
    for (const size of [64, 96] as const) {
      const c = recommendedTrainConfig('wasm', size);
      expect(c.stageWise).toBe(true);
      expect(c.inferenceBatch).toBe(inferenceBatchFor([size, size, 3]));
      expect({ ...c, stageWise: false, inferenceBatch: 256 }).toEqual(recommendedTrainConfig('wasm', 32));
    }
    expect(stageWiseFor(32, 64)).toBe(false);
    expect(stageWiseFor(64, 64)).toBe(true);
    expect(stageWiseFor(96, 64)).toBe(true);
    // Fewer rows at 64 px fit in one pass again.
    expect(stageWiseFor(64, 16)).toBe(false);
  });

  it('leave the GPU schedule (the paper\'s) alone at every size', () => {
    for (const size of [32, 64, 96] as const) expect(recommendedTrainConfig('gpu', size)).toEqual(PAPER_TRAIN_CONFIG);
  });

  it('pass the same number of pixels per gradient-free pass at every size (256 images at 32 px)', () => {
    expect(inferenceBatchFor([32, 32, 3])).toBe(256);
    expect(inferenceBatchFor([64, 64, 3])).toBe(64);
    expect(inferenceBatchFor([96, 96, 3])).toBe(28);
    expect(inferenceBatchFor([8, 8, 3])).toBe(256);
    expect(inferenceBatchFor([1024])).toBe(256);
  });

  it('estimate a 96 px step in one pass above what a wasm thread can have, and stage by stage well below', () => {
    expect(stepBytes(96, 64, false)).toBeGreaterThan(0.9 * WASM_HEAP_LIMIT_BYTES);
    expect(stepBytes(96, 64, true)).toBeLessThan(2.5 * GB);
    const e = estimateScratchMemory(96, 200, recommendedTrainConfig('wasm', 96), 1);
    expect(e.workers).toBe(1);
    expect(e.mainBytes).toBeLessThan(3 * GB);
    expect(e.workerBytes).toBeLessThan(3 * GB);
    expect(e.totalBytes).toBe(e.mainBytes + e.workerBytes);
  });
});

describe('planning a run against the memory there is', () => {
  const at96 = recommendedTrainConfig('wasm', 96);

  it('keeps the gradient worker when both threads fit', () => {
    expect(planScratchMemory({ inputSize: 96, kind: 'wasm', images: 200, config: at96, workers: 1, budgetBytes: 16 * GB }).workers).toBe(1);
  });

  it('drops the gradient worker (same results, slower) when only one thread fits', () => {
    const plan = planScratchMemory({ inputSize: 96, kind: 'wasm', images: 200, config: at96, workers: 1, budgetBytes: 4 * GB });
    expect(plan.workers).toBe(0);
    expect(plan.estimate.totalBytes).toBeLessThanOrEqual(4 * GB);
  });

  it('refuses in plain words, naming the smaller sizes, when even one thread does not fit', () => {
    let err: unknown;
    try {
      planScratchMemory({ inputSize: 96, kind: 'wasm', images: 200, config: at96, workers: 1, budgetBytes: 1.5 * GB });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotEnoughMemoryError);
    const e = err as NotEnoughMemoryError;
    expect(e.message).toBe('There is not enough memory to train at 96 px on the processor. Use a smaller size (32 or 64 px).');
    expect(e.smallerSizes).toEqual([32, 64]);
    expect(e.details).toMatch(/96 px, 64 rows a shard \(stage by stage\), 28 images a pass: needs about 2\.\d GB; this computer has 1\.5 GB/);
    // At 32 px there is no smaller size to suggest.
    expect(() => planScratchMemory({ inputSize: 32, kind: 'cpu', images: 200, config: recommendedTrainConfig('cpu', 32), workers: 1, budgetBytes: 0.2 * GB })).toThrow(
      'There is not enough memory to train on the processor. Close other programs and try again, or use a computer with more memory.',
    );
  });

  it('refuses a thread that would need more than a wasm memory can hold, whatever the machine has', () => {
    const onePass = { ...at96, stageWise: false };
    expect(() => planScratchMemory({ inputSize: 96, kind: 'wasm', images: 200, config: onePass, workers: 1, budgetBytes: 64 * GB })).toThrow(NotEnoughMemoryError);
    // The cpu backend has no such cap.
    expect(planScratchMemory({ inputSize: 96, kind: 'cpu', images: 200, config: onePass, workers: 1, budgetBytes: 64 * GB }).workers).toBe(1);
  });

  it('does not plan for GPU backends', () => {
    expect(planScratchMemory({ inputSize: 96, kind: 'gpu', images: 200, config: PAPER_TRAIN_CONFIG, workers: 0, budgetBytes: 1 }).workers).toBe(0);
  });
});
