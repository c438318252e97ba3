/**
 * Tiny end-to-end training runs on the WebGPU backend (SwiftShader where there is no GPU): the scratch trainer with
 * its image augmentation, the fine-tune head on feature rows, and k-means on the backend. Small because SwiftShader
 * emulates the GPU on the processor; the paper network's kernels are covered by webgpuParity.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import type { Tensor } from './tf.js';
import { initBackend } from './backend.js';
import { Rng } from '../rng.js';
import { MemoryImageSource } from '../data/dataset.js';
import { ImageViews, type ViewProvider } from '../data/augmentedViews.js';
import { train, type TrainConfig, type TrainEvent } from '../training/trainer.js';
import { predict } from '../training/inference.js';
import { TINY_TRAIN_CONFIG, TinyNet } from '../testing/tinyNet.js';
import { createFeatureHead } from '../finetune/head.js';
import { kmeans } from '../kmeans/kmeans.js';
import { kmeansOnBackend } from '../kmeans/kmeansBackend.js';
import { clusteringAccuracy } from '../../metrics/clustering.js';
import { useSwiftShaderUnlessSet } from '../testing/swiftshader.js';

useSwiftShaderUnlessSet();

const CONFIG: Partial<TrainConfig> = { ...TINY_TRAIN_CONFIG, epochs: 2 };

/** Feature rows of four well separated blobs (embedding) plus a random 2×2×3 shallow map; views add small noise. */
class BlobFeatures implements ViewProvider {
  readonly inputShape = [8 + 12];
  readonly labels: number[];
  private readonly rows: Float32Array;
  constructor(readonly count: number) {
    const r = new Rng(7);
    this.labels = Array.from({ length: count }, (_, i) => i % 4);
    this.rows = new Float32Array(count * 20);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < 8; j++) this.rows[i * 20 + j] = (j % 4 === this.labels[i] ? 3 : 0) + 0.3 * r.normal();
      for (let j = 8; j < 20; j++) this.rows[i * 20 + j] = Math.abs(r.normal());
    }
  }
  async load(indices: number[]): Promise<Tensor> {
    const out = new Float32Array(indices.length * 20);
    indices.forEach((ix, i) => out.set(this.rows.subarray(ix * 20, ix * 20 + 20), i * 20));
    return tf.tensor2d(out, [indices.length, 20]);
  }
  original(loaded: Tensor, rows: number[]): Tensor {
    return tf.gather(loaded, rows);
  }
  augmented(loaded: Tensor, rows: number[], _indices: number[], rng: Rng): Tensor {
    const noise = Float32Array.from({ length: rows.length * 20 }, () => 0.05 * rng.normal());
    return tf.tidy(() => tf.add(tf.gather(loaded, rows), tf.tensor2d(noise, [rows.length, 20])));
  }
}

beforeAll(async () => {
  const info = await initBackend('webgpu', { env: {} });
  expect(info.name).toBe('webgpu');
}, 120_000);

describe('training on WebGPU', () => {
  it('scratch mode: the trainer runs every step on the device and ends with finite losses and changed weights', async () => {
    const r = new Rng(99);
    const source = new MemoryImageSource(Uint8Array.from({ length: 24 * 16 * 16 * 3 }, () => r.int(256)), 16);
    const model = new TinyNet({ k: 3, seed: 1 });
    const before = await model.getState();
    const events: TrainEvent[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const result = await train({ model, views: new ImageViews(source, 8), config: CONFIG, onEvent: (e) => events.push(e) });
    expect(tf.getBackend()).toBe('webgpu');
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 2, steps: 2 * 2 * 2 * 3 });
    for (const e of events) if (e.type === 'step') for (const v of Object.values(e.loss)) expect(Number.isFinite(v)).toBe(true);
    const after = await model.getState();
    const kernel = (s: typeof before) => Array.from(s.get('c1/kernel')!.values);
    expect(kernel(after)).not.toEqual(kernel(before));
    // Nothing leaks on the device across 24 steps (the model's own variables excepted).
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  }, 600_000);

  it('fine-tune mode: the head learns four blobs of feature rows', async () => {
    const views = new BlobFeatures(40);
    const head = createFeatureHead({ embeddingDim: 8, shallowShape: [2, 2, 3], hidden: [16], k: 4, seed: 3 });
    const epochs: number[] = [];
    const result = await train({
      model: head,
      views,
      config: { ...CONFIG, epochs: 4, bigBatch: 40, miniBatch: 10, passes: 3, learningRate: 3e-2 },
      onEvent: (e) => e.type === 'epoch' && epochs.push(e.loss.total),
    });
    expect(result.status).toBe('completed');
    expect(epochs.at(-1)!).toBeLessThan(epochs[0]!);
    const preds = await predict(head, views);
    expect(clusteringAccuracy(views.labels, preds.map((p) => p.cluster))).toBeGreaterThanOrEqual(0.75);
    head.dispose();
  }, 600_000);

  it('k-means on the device gives the JavaScript k-means result', async () => {
    const views = new BlobFeatures(60);
    const data = Float32Array.from((await (await views.load(Array.from({ length: 60 }, (_, i) => i))).data()).filter((_, i) => i % 20 < 8));
    const opts = { k: 4, seed: 2, restarts: 2 };
    const onDevice = await kmeansOnBackend(data, 60, 8, opts);
    const inJs = kmeans(data, 60, 8, opts);
    expect(Array.from(onDevice.assignments)).toEqual(Array.from(inJs.assignments));
    expect(onDevice.inertia).toBeCloseTo(inJs.inertia, 2);
    expect(clusteringAccuracy(views.labels, Array.from(onDevice.assignments))).toBe(1);
  }, 120_000);
});
