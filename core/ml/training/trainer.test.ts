import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { MemoryImageSource } from '../data/dataset.js';
import { ImageViews } from '../data/augmentedViews.js';
import { train, type TrainConfig, type TrainEvent } from './trainer.js';
import { loadModel, readCheckpoint } from './checkpoint.js';
import { TINY_TRAIN_CONFIG, TinyNet } from '../testing/tinyNet.js';
import type { NamedArrays } from './model.js';

// Small enough for the plain cpu backend: 24 images of 16 px (box-downsampled to the net's 8 px).
function dataset(n = 24): MemoryImageSource {
  const r = new Rng(99);
  return new MemoryImageSource(Uint8Array.from({ length: n * 16 * 16 * 3 }, () => r.int(256)), 16);
}

const CONFIG = TINY_TRAIN_CONFIG;

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pc-train-'));
}

async function stateOf(model: TinyNet): Promise<NamedArrays> {
  return model.getState();
}

function expectSameState(a: NamedArrays, b: NamedArrays): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, v] of a) expect(Array.from(b.get(name)!.values), name).toEqual(Array.from(v.values));
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('trainer', () => {
  const source = dataset();

  it('emits step, targets, epoch and checkpoint events with every loss part', async () => {
    const events: TrainEvent[] = [];
    const model = new TinyNet({ k: 3, seed: 1 });
    const result = await train({ model, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 2 }, checkpointDir: tmpDir(), onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 2, steps: 2 * 2 * 2 * 3 });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(24);
    const s = steps[5]!;
    expect(Object.keys(s.loss).sort()).toEqual(['graph', 'graphAug', 'label', 'labelAug', 'mi', 'total']);
    for (const v of Object.values(s.loss)) expect(Number.isFinite(v)).toBe(true);
    expect(s.stepsPerEpoch).toBe(12);
    expect(s.imagesPerSecond).toBeGreaterThan(0);
    expect(s.etaSeconds).toBeGreaterThanOrEqual(0);
    expect(steps.some((e) => e.type === 'step' && e.confidentShare > 0)).toBe(true);
    expect(events.filter((e) => e.type === 'targets')).toHaveLength(4);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.type === 'epoch' && e.epoch)).toEqual([0, 1]);
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.type === 'checkpoint' && e.reason)).toEqual(['epoch', 'final']);
    model.dispose();
  });

  it('is deterministic for a seed', async () => {
    const a = new TinyNet({ k: 3, seed: 1 });
    const b = new TinyNet({ k: 3, seed: 1 });
    await train({ model: a, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 1 } });
    await train({ model: b, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 1 } });
    expectSameState(await stateOf(a), await stateOf(b));
    a.dispose();
    b.dispose();
  });

  it('resumes exactly: N epochs straight equal k epochs, a checkpoint, then the rest', async () => {
    const straight = new TinyNet({ k: 3, seed: 2 });
    await train({ model: straight, views: new ImageViews(source, 8), config: CONFIG });

    const dir = tmpDir();
    const first = new TinyNet({ k: 3, seed: 2 });
    await train({ model: first, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 1 }, checkpointDir: dir });
    first.dispose();
    const resumed = new TinyNet({ k: 3, seed: 2 });
    const result = await train({ model: resumed, views: new ImageViews(source, 8), config: { epochs: 3 }, checkpointDir: dir, resume: true });
    expect(result.epochsCompleted).toBe(3);
    expectSameState(await stateOf(resumed), await stateOf(straight));
    straight.dispose();
    resumed.dispose();
  });

  it('cancels between steps, checkpoints, and resumes mid-epoch to the same result', async () => {
    const straight = new TinyNet({ k: 3, seed: 3 });
    await train({ model: straight, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 2 } });

    const dir = tmpDir();
    const controller = new AbortController();
    let steps = 0;
    const first = new TinyNet({ k: 3, seed: 3 });
    const cancelled = await train({
      model: first,
      views: new ImageViews(source, 8),
      config: { ...CONFIG, epochs: 2 },
      checkpointDir: dir,
      signal: controller.signal,
      onEvent: (e) => {
        // Step 8 is in the second big batch's first pass: targets and the pass order must survive the restart.
        if (e.type === 'step' && ++steps === 8) controller.abort();
      },
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', steps: 8, epochsCompleted: 0 });
    const saved = await readCheckpoint(dir);
    expect(saved.meta.cursor).toEqual({ epoch: 0, chunk: 1, pass: 0, batch: 2 });
    expect(saved.arrays.has('cursor/chunk_probs')).toBe(true);
    first.dispose();

    const resumed = new TinyNet({ k: 3, seed: 3 });
    const result = await train({ model: resumed, views: new ImageViews(source, 8), checkpointDir: dir, resume: true });
    expect(result).toMatchObject({ status: 'completed', steps: 24 });
    expectSameState(await stateOf(resumed), await stateOf(straight));
    // The checkpoint directory also serves as a model for prediction.
    const loaded = await loadModel(dir);
    expectSameState(await loaded.getState(), await stateOf(straight));
    loaded.dispose();
    straight.dispose();
    resumed.dispose();
  });

  it('keeps the tensor count flat across epochs', async () => {
    const model = new TinyNet({ k: 3, seed: 4 });
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await train({
      model,
      views: new ImageViews(source, 8),
      config: { ...CONFIG, epochs: 4 },
      onEvent: (e) => {
        if (e.type === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
    // Only what the model itself owns remains after training.
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('raises the thresholds linearly during a warm-up, one big batch at a time', async () => {
    const model = new TinyNet({ k: 3, seed: 7 });
    const seen: Array<{ graph: number; label: number }> = [];
    await train({
      model,
      views: new ImageViews(source, 8),
      config: { ...CONFIG, epochs: 3, passes: 1, thresholds: { graph: 0.95, label: 0.9 }, thresholdWarmup: { epochs: 2, from: { graph: 0.75, label: 0.5 } } },
      onEvent: (e) => {
        if (e.type === 'targets') seen.push(e.thresholds);
      },
    });
    expect(seen.map((t) => +t.graph.toFixed(4))).toEqual([0.75, 0.8, 0.85, 0.9, 0.95, 0.95]);
    expect(seen.map((t) => +t.label.toFixed(4))).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 0.9]);
    model.dispose();
  });

  it('refuses a checkpoint made for another model or dataset', async () => {
    const dir = tmpDir();
    const model = new TinyNet({ k: 3, seed: 6 });
    await train({ model, views: new ImageViews(source, 8), config: { ...CONFIG, epochs: 1 }, checkpointDir: dir });
    const other = new TinyNet({ k: 4, seed: 6 });
    await expect(train({ model: other, views: new ImageViews(source, 8), checkpointDir: dir, resume: true })).rejects.toThrow(/checkpoint was made for/);
    await expect(train({ model, views: new ImageViews(dataset(30), 8), checkpointDir: dir, resume: true })).rejects.toThrow(/made on 24 images/);
    model.dispose();
    other.dispose();
  });
});
