import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { createDccmNet } from './dccmNet.js';
import { MiDiscriminator } from '../training/discriminator.js';
import { loadModel, saveModel } from '../training/checkpoint.js';
import { MemoryImageSource } from '../data/dataset.js';
import { ImageViews } from '../data/augmentedViews.js';
import { train } from '../training/trainer.js';
import { computeShard, type ShardResult } from '../training/step.js';
import { PAPER_WEIGHTS, sampleMiPairs } from '../training/losses.js';

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const r = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * size * size * 3 }, () => r.float()), [n, size, size, 3]);
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the paper network', () => {
  for (const [size, shallow] of [
    [32, 14],
    [64, 30],
    [96, 46],
  ] as const) {
    it(`runs at ${size} px: logits/probs [N,K], shallow map ${shallow}×${shallow}×64`, () => {
      const net = createDccmNet({ inputSize: size, k: 7, seed: 1 });
      const out = net.forward(randomImages(2, size, 1), false);
      expect(out.logits.shape).toEqual([2, 7]);
      expect(out.probs.shape).toEqual([2, 7]);
      expect(out.deep).toBe(out.logits);
      expect(out.shallow.shape).toEqual([2, shallow, shallow, 64]);
      const p = out.probs.arraySync();
      for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(out.batchStats).toBeUndefined();
      net.dispose();
    });
  }

  it('in inference mode, an image gets the same output whatever its batch mates', () => {
    const net = createDccmNet({ inputSize: 32, k: 5, seed: 2 });
    const x = randomImages(6, 32, 3);
    const alone = net.forward(tf.slice(x, 0, 1), false).logits.dataSync();
    const inBatch = tf.slice(net.forward(x, false).logits, 0, 1).dataSync();
    Array.from(alone).forEach((v, i) => expect(inBatch[i]).toBeCloseTo(v, 4));
    net.dispose();
  });

  it('in training mode, normalises with batch statistics and reports them per BatchNorm layer', () => {
    const net = createDccmNet({ inputSize: 32, k: 5, seed: 2 });
    const out = net.forward(randomImages(8, 32, 4), true);
    expect(net.batchStatNames()).toEqual(['conv1/bn', 'conv2/bn', 'conv3/bn', 'conv4/bn', 'fc1/bn', 'fc2/bn']);
    expect(out.batchStats).toHaveLength(12);
    // The logits are batch-normalised: zero mean and unit variance over the batch, per cluster.
    const { mean, variance } = tf.moments(out.logits, 0);
    Array.from(mean.dataSync()).forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-4));
    Array.from(variance.dataSync()).forEach((v) => expect(v).toBeCloseTo(1, 2));
    net.dispose();
  });

  it('folds batch statistics into the running ones with the given momentum', async () => {
    const net = createDccmNet({ inputSize: 32, k: 5, seed: 2 });
    const stats = net.forward(randomImages(4, 32, 5), true).batchStats!;
    net.updateRunningStats(stats, 0.9);
    const state = await net.getState();
    const batchMean = stats[0]!.dataSync();
    const running = state.get('conv1/bn/running_mean')!.values;
    Array.from(batchMean).forEach((m, i) => expect(running[i]).toBeCloseTo(0.1 * m, 5));
    const runningVar = state.get('conv1/bn/running_var')!.values;
    Array.from(stats[1]!.dataSync()).forEach((v, i) => expect(runningVar[i]).toBeCloseTo(0.9 + 0.1 * v, 5));
    net.dispose();
  });

  it('is seeded: same seed same weights, another seed other weights', async () => {
    const a = await createDccmNet({ inputSize: 32, k: 4, seed: 9 }).getState();
    const b = await createDccmNet({ inputSize: 32, k: 4, seed: 9 }).getState();
    const c = await createDccmNet({ inputSize: 32, k: 4, seed: 10 }).getState();
    expect(Array.from(b.get('conv2/kernel')!.values)).toEqual(Array.from(a.get('conv2/kernel')!.values));
    expect(Array.from(c.get('conv2/kernel')!.values)).not.toEqual(Array.from(a.get('conv2/kernel')!.values));
  });

  it('saves to and loads from a checkpoint directory with identical predictions', async () => {
    const net = createDccmNet({ inputSize: 32, k: 4, seed: 3 });
    net.updateRunningStats(net.forward(randomImages(4, 32, 6), true).batchStats!, 0.5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-model-'));
    await saveModel(dir, net);
    const copy = await loadModel(dir);
    expect(copy.spec).toEqual(net.spec);
    const x = randomImages(3, 32, 7);
    expect(Array.from(copy.forward(x, false).probs.dataSync())).toEqual(Array.from(net.forward(x, false).probs.dataSync()));
    net.dispose();
    copy.dispose();
  });

  it('rejects sizes and cluster counts it cannot handle', () => {
    expect(() => createDccmNet({ inputSize: 48 as 32, k: 4, seed: 1 })).toThrow(/inputSize/);
    expect(() => createDccmNet({ inputSize: 32, k: 1, seed: 1 })).toThrow(/k must be/);
  });

  it('the MI discriminator scores every location of every pairing', () => {
    const disc = new MiDiscriminator({ shallowChannels: 64, deepDim: 5, hidden: 16, seed: 1 });
    const net = createDccmNet({ inputSize: 32, k: 5, seed: 1 });
    const out = net.forward(randomImages(3, 32, 8), false);
    const scores = disc.score(out.shallow, out.deep, [Int32Array.from([0, 1, 2]), Int32Array.from([2, 0, 1])]);
    expect(scores.shape).toEqual([2, 3, 14, 14]);
    // Pairing 1 gives shallow map 0 the deep vector of image 2: same as scoring pairing [2,…] at row 0.
    const direct = disc.score(out.shallow, out.deep, [Int32Array.from([2, 2, 2])]);
    expect(Array.from(tf.slice(scores, [1, 0], [1, 1]).dataSync())).toEqual(Array.from(tf.slice(direct, [0, 0], [1, 1]).dataSync()));
    disc.dispose();
    net.dispose();
  });

  it('a step computed stage by stage gives exactly the one-pass step: loss parts, batch statistics, every gradient', async () => {
    const net = createDccmNet({ inputSize: 32, k: 4, seed: 5 });
    const disc = new MiDiscriminator({ shallowChannels: 64, deepDim: 4, hidden: 16, seed: 5 });
    const b = 6;
    const r = new Rng(6);
    // A pseudo-graph with some neighbours, some confident labels: every loss term contributes.
    const graph = new Float32Array(b * b);
    for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) graph[i * b + j] = i === j || (i < 3 && j < 3) ? 1 : 0;
    const targets = { size: b, graph, labels: Int32Array.from([0, 0, 0, 1, 2, 3]), confident: Float32Array.from([1, 1, 0, 1, 0, 1]), miPairs: [sampleMiPairs(graph, b, 2, r)] };
    const x = randomImages(2 * b, 32, 11);
    const before = tf.memory().numTensors;
    const run = (stageWise: boolean): Promise<ShardResult> => computeShard(net, disc, x, targets, { weights: PAPER_WEIGHTS, includeOriginal: true, augmentedViews: 1, stageWise });
    const one = await run(false);
    const staged = await run(true);
    expect(staged.parts).toEqual(one.parts);
    expect(staged.batchStats).toHaveLength(12);
    staged.batchStats.forEach((t, i) => expect(Array.from(t.dataSync()), `statistic ${i}`).toEqual(Array.from(one.batchStats[i]!.dataSync())));
    expect([...staged.grads.keys()].sort()).toEqual([...one.grads.keys()].sort());
    expect(one.grads.size).toBe(net.trainableVariables().length + disc.trainableVariables().length);
    for (const [name, g] of one.grads) expect(Array.from(staged.grads.get(name)!.dataSync()), name).toEqual(Array.from(g.dataSync()));
    tf.dispose([...one.grads.values(), ...one.batchStats, ...staged.grads.values(), ...staged.batchStats]);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    disc.dispose();
  });

  it('trains on wasm with every loss term (all gradient kernels present) without leaking tensors', async () => {
    const r = new Rng(1);
    const source = new MemoryImageSource(Uint8Array.from({ length: 16 * 32 * 32 * 3 }, () => r.int(256)), 32);
    const net = createDccmNet({ inputSize: 32, k: 4, seed: 1 });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const result = await train({
      model: net,
      views: new ImageViews(source, 32),
      config: { epochs: 1, bigBatch: 16, miniBatch: 8, passes: 2, augmentedViews: 1, miHidden: 16, thresholds: { graph: 0.5, label: 0.3 } },
      onEvent: (e) => {
        if (e.type === 'step') losses.push(e.loss.total, e.loss.mi, e.loss.label);
      },
    });
    expect(result.steps).toBe(4);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});
