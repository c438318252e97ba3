/**
 * The WebGPU backend against the plain cpu backend on every kernel a training step runs: the same step (forward,
 * all six loss parts, BatchNorm statistics and every gradient) of the paper network, the fine-tune head and the
 * tiny test net, computed on both backends from the same weights and inputs. Runs on SwiftShader where there is no
 * GPU (.ci/run installs it), so CI exercises exactly the code a user's graphics card runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import type { Tensor } from './tf.js';
import { initBackend } from './backend.js';
import { Rng } from '../rng.js';
import { createDccmNet } from '../scratch/dccmNet.js';
import { createFeatureHead } from '../finetune/head.js';
import { TinyNet } from '../testing/tinyNet.js';
import { MiDiscriminator } from '../training/discriminator.js';
import { PAPER_WEIGHTS, sampleMiPairs } from '../training/losses.js';
import { computeShard, type ShardTargets, type StepOptions } from '../training/step.js';
import type { ClusterModel } from '../training/model.js';
import { useSwiftShaderUnlessSet } from '../testing/swiftshader.js';

useSwiftShaderUnlessSet();

/** max |a − b| / max |b|: the error relative to the tensor's scale (elementwise relative error explodes near 0). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

interface StepValues {
  parts: number[];
  grads: Map<string, Float32Array>;
  stats: Float32Array[];
  kernels: Set<string>;
}

const OPTS: StepOptions = { weights: PAPER_WEIGHTS, includeOriginal: true, augmentedViews: 2 };
/** One augmented view for the paper network: the same kernels at two thirds of the cost (SwiftShader is slow). */
const OPTS_ONE_VIEW: StepOptions = { ...OPTS, augmentedViews: 1 };

function targetsFor(b: number, seed: number, views: number): ShardTargets {
  const rng = new Rng(seed);
  const graph = new Float32Array(b * b);
  // Two blocks of neighbours, so that graph and MI terms both have positives and negatives.
  for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) graph[i * b + j] = i % 2 === j % 2 ? 1 : 0;
  return {
    size: b,
    graph,
    labels: Int32Array.from({ length: b }, (_, i) => i % 3),
    confident: Float32Array.from({ length: b }, (_, i) => (i % 4 === 3 ? 0 : 1)),
    miPairs: Array.from({ length: views }, () => sampleMiPairs(graph, b, 2, rng)),
  };
}

/** One step on `backend`: a fresh model from the same seed, so both backends start from identical weights. */
async function stepOn(backend: 'cpu' | 'webgpu', makeModel: () => ClusterModel, inputShape: number[], b: number, opts: StepOptions): Promise<StepValues> {
  await initBackend(backend, { env: {} });
  const model = makeModel();
  const disc = new MiDiscriminator({ shallowChannels: model.shallowChannels, deepDim: model.deepDim, hidden: 16, seed: 4 });
  const rng = new Rng(11);
  const rows = (1 + opts.augmentedViews) * b;
  const size = inputShape.reduce((p, q) => p * q, 1);
  const inputs = tf.tensor(Float32Array.from({ length: rows * size }, () => rng.float()), [rows, ...inputShape]);
  let result!: Awaited<ReturnType<typeof computeShard>>;
  const profile = await tf.profile(async () => {
    result = await computeShard(model, disc, inputs, targetsFor(b, 3, opts.augmentedViews), opts);
    return [] as Tensor[];
  });
  const grads = new Map<string, Float32Array>();
  for (const [k, g] of result.grads) grads.set(k, (await g.data()) as Float32Array);
  const stats = (await Promise.all(result.batchStats.map((t) => t.data()))) as Float32Array[];
  const p = result.parts;
  const values = { parts: [p.graph, p.label, p.graphAug, p.labelAug, p.mi, p.total], grads, stats, kernels: new Set(profile.kernelNames) };
  tf.dispose([inputs, ...result.grads.values(), ...result.batchStats]);
  model.dispose();
  disc.dispose();
  return values;
}

async function expectParity(makeModel: () => ClusterModel, inputShape: number[], b: number, opts = OPTS): Promise<void> {
  const cpu = await stepOn('cpu', makeModel, inputShape, b, opts);
  const gpu = await stepOn('webgpu', makeModel, inputShape, b, opts);
  // Every kernel the step used has a WebGPU implementation (none silently falls back to the CPU).
  // (The profile also lists custom-gradient op names such as 'forward'; only names with a cpu kernel are kernels.)
  const kernels = [...cpu.kernels].filter((k) => tf.getKernel(k, 'cpu'));
  expect(kernels.length).toBeGreaterThan(10);
  const missing = kernels.filter((k) => !tf.getKernel(k, 'webgpu'));
  expect(missing).toEqual([]);
  expect(gpu.kernels).toEqual(cpu.kernels);
  expect(relError(gpu.parts, cpu.parts), `loss parts ${gpu.parts} vs ${cpu.parts}`).toBeLessThanOrEqual(1e-3);
  expect(cpu.parts[5]).toBeGreaterThan(0);
  expect([...gpu.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
  for (const [name, g] of cpu.grads) {
    expect(g.some((v) => v !== 0), `${name} has a non-zero gradient`).toBe(true);
    expect(relError(gpu.grads.get(name)!, g), name).toBeLessThanOrEqual(1e-3);
  }
  expect(gpu.stats.length).toBe(cpu.stats.length);
  cpu.stats.forEach((s, i) => expect(relError(gpu.stats[i]!, s), `batch statistic ${i}`).toBeLessThanOrEqual(1e-3));
}

beforeAll(async () => {
  // Fails (rather than skips) where WebGPU cannot start: the reason names what to install.
  const info = await initBackend('webgpu', { env: {} });
  expect(info.name).toBe('webgpu');
}, 120_000);

describe('WebGPU backend parity with the cpu backend (forward and gradients, rel. error ≤ 1e-3)', () => {
  it('the paper network at 32 px (convolutions, pooling, BatchNorm, losses, MI discriminator)', async () => {
    await expectParity(() => createDccmNet({ inputSize: 32, k: 3, seed: 1 }), [32, 32, 3], 2, OPTS_ONE_VIEW);
  }, 600_000);

  it('the fine-tune head on cached features', async () => {
    const config = { embeddingDim: 24, shallowShape: [2, 2, 5] as [number, number, number], hidden: [16], k: 3, seed: 2 };
    await expectParity(() => createFeatureHead(config), [24 + 20], 6);
  }, 120_000);

  it('the tiny test net (strided convolutions)', async () => {
    await expectParity(() => new TinyNet({ k: 3, seed: 1 }), [8, 8, 3], 6);
  }, 120_000);
});
