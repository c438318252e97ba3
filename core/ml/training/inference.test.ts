import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { MemoryImageSource } from '../data/dataset.js';
import { ImageViews } from '../data/augmentedViews.js';
import { blobToEmbedding, embeddingToBlob, predict, recalibrateBatchNorm } from './inference.js';
import { TinyNet } from '../testing/tinyNet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

function source(n: number): MemoryImageSource {
  const r = new Rng(4);
  return new MemoryImageSource(Uint8Array.from({ length: n * 16 * 16 * 3 }, () => r.int(256)), 16);
}

describe('prediction', () => {
  it('gives cluster = argmax, confidence = max probability and the deep feature, independent of batch size', async () => {
    const model = new TinyNet({ k: 4, seed: 1 });
    const src = source(10);
    const byThree = await predict(model, src, { batchSize: 3 });
    const all = await predict(model, new ImageViews(src, 8), { batchSize: 10 });
    expect(byThree).toHaveLength(10);
    byThree.forEach((p, i) => {
      expect(p.embedding).toHaveLength(4);
      expect(p.cluster).toBe(all[i]!.cluster);
      expect(p.confidence).toBeCloseTo(all[i]!.confidence, 5);
      const probs = tf.tidy(() => tf.softmax(tf.tensor2d(p.embedding, [1, 4])).dataSync());
      expect(p.confidence).toBeCloseTo(Math.max(...probs), 5);
      expect(p.cluster).toBe(probs.indexOf(Math.max(...probs)));
    });
    model.dispose();
  });

  it('encodes embeddings as little-endian float32 bytes and back', () => {
    const e = Float32Array.from([1.5, -2.25, 3e-8, 0]);
    const blob = embeddingToBlob(e);
    expect(blob.length).toBe(16);
    expect(blob.readFloatLE(4)).toBe(-2.25);
    expect(Array.from(blobToEmbedding(blob))).toEqual(Array.from(e));
    expect(() => blobToEmbedding(new Uint8Array(3))).toThrow(/not float32/);
  });

  it('recalibrates BatchNorm to the exact statistics of the whole set', async () => {
    const model = new TinyNet({ k: 3, seed: 2 });
    const views = new ImageViews(source(9), 8);
    const x = await views.load(Array.from({ length: 9 }, (_, i) => i));
    await recalibrateBatchNorm(model, x, 4); // sub-batches 4, 5 (a lone last image is folded in)
    const state = await model.getState();
    // First BatchNorm sees the first conv's output directly: compare to its moments over all 9 images.
    const conv = tf.conv2d(x as tf.Tensor4D, tf.tensor(state.get('c1/kernel')!.values, [3, 3, 3, 6]) as tf.Tensor4D, 1, 'valid');
    const { mean, variance } = tf.moments(conv, [0, 1, 2]);
    Array.from(mean.dataSync()).forEach((m, i) => expect(state.get('c1/bn/running_mean')!.values[i]).toBeCloseTo(m, 4));
    Array.from(variance.dataSync()).forEach((v, i) => expect(state.get('c1/bn/running_var')!.values[i]).toBeCloseTo(v, 4));
    model.dispose();
  });
});
