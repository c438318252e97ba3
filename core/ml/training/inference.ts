import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import type { ClusterModel } from './model.js';
import type { ImageSource } from '../data/dataset.js';
import { ImageViews, type ViewProvider } from '../data/augmentedViews.js';

/** Images per gradient-free pass at 32×32 (and for inputs that are not images). */
export const INFERENCE_BATCH_AT_32 = 256;

/**
 * Images per gradient-free pass (targets, BatchNorm statistics, prediction) for a model input shape: 256 at 32 px
 * and the same number of pixels per pass above (64 at 64 px, 28 at 96 px), so that a pass's memory does not grow
 * with the input size — 256 images at 96 px would need ~4.8 GB on the wasm backend, more than it can have.
 */
export function inferenceBatchFor(inputShape: readonly number[]): number {
  if (inputShape.length !== 3) return INFERENCE_BATCH_AT_32;
  const pixels = inputShape[0]! * inputShape[1]!;
  return Math.max(1, Math.min(INFERENCE_BATCH_AT_32, Math.floor((INFERENCE_BATCH_AT_32 * 32 * 32) / pixels)));
}

/** softmax outputs [n·K] of a loaded batch, inference mode (running BatchNorm statistics), in sub-batches. */
export async function predictProbabilities(model: ClusterModel, loaded: Tensor, batch: number): Promise<Float32Array> {
  const n = loaded.shape[0]!;
  const out = new Float32Array(n * model.k);
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const probs = tf.tidy(() => model.forward(tf.slice(loaded, start, size), false).probs);
    out.set(await probs.data(), start * model.k);
    probs.dispose();
  }
  return out;
}

/**
 * Sets every BatchNorm layer's running statistics to the statistics of `loaded`, measured with training-mode
 * passes of `batch` images (no gradients, no weight change): per-batch means and variances are pooled into the
 * exact mean and variance over all rows (law of total variance).
 */
export async function recalibrateBatchNorm(model: ClusterModel, loaded: Tensor, batch: number): Promise<void> {
  const n = loaded.shape[0]!;
  if (n < 2) return;
  // Avoid a last sub-batch of one image, whose variance would be zero.
  const starts: number[] = [];
  for (let s = 0; s < n; s += batch) starts.push(s);
  if (starts.length > 1 && n - starts[starts.length - 1]! < 2) starts.pop();
  let sums: { mean: Float64Array; sq: Float64Array }[] | null = null;
  let total = 0;
  for (const [i, start] of starts.entries()) {
    const end = i + 1 < starts.length ? starts[i + 1]! : n;
    const size = end - start;
    const stats = tf.tidy(() => {
      const out = model.forward(tf.slice(loaded, start, size), true);
      return out.batchStats ?? [];
    });
    const values = (await Promise.all(stats.map((t) => t.data()))) as Float32Array[];
    tf.dispose(stats);
    if (!sums) sums = Array.from({ length: values.length / 2 }, (_, l) => ({ mean: new Float64Array(values[2 * l]!.length), sq: new Float64Array(values[2 * l]!.length) }));
    sums.forEach((s, l) => {
      const m = values[2 * l]!;
      const v = values[2 * l + 1]!;
      for (let c = 0; c < m.length; c++) {
        s.mean[c] = s.mean[c]! + size * m[c]!;
        s.sq[c] = s.sq[c]! + size * (v[c]! + m[c]! * m[c]!);
      }
    });
    total += size;
  }
  if (!sums) return;
  const pooled = (sums as { mean: Float64Array; sq: Float64Array }[]).flatMap((s) => {
    const mean = Float32Array.from(s.mean, (x) => x / total);
    const variance = Float32Array.from(s.sq, (x, c) => Math.max(0, x / total - mean[c]! * mean[c]!));
    return [tf.tensor1d(mean), tf.tensor1d(variance)];
  });
  model.updateRunningStats(pooled, 0);
  tf.dispose(pooled);
}

export interface Prediction {
  /** argmax of the softmax output. */
  cluster: number;
  /** max of the softmax output. */
  confidence: number;
  /** The deep feature (for the paper's network, the K pre-softmax outputs). */
  embedding: Float32Array;
}

function isViewProvider(x: ImageSource | ViewProvider): x is ViewProvider {
  return typeof (x as ViewProvider).load === 'function';
}

/**
 * Cluster, confidence and embedding for every item, in inference mode: each prediction depends only on its own
 * image and the model, never on the other images in its batch.
 */
export async function predict(
  model: ClusterModel,
  source: ImageSource | ViewProvider,
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Prediction[]> {
  const views = isViewProvider(source) ? source : new ImageViews(source, model.inputShape[0]!);
  const batch = opts.batchSize ?? inferenceBatchFor(model.inputShape);
  const out: Prediction[] = [];
  for (let start = 0; start < views.count; start += batch) {
    const indices = Array.from({ length: Math.min(batch, views.count - start) }, (_, i) => start + i);
    const loaded = await views.load(indices);
    const [probs, deep] = tf.tidy(() => {
      const o = model.forward(loaded, false);
      return [o.probs, o.deep];
    });
    loaded.dispose();
    const p = (await probs.data()) as Float32Array;
    const d = (await deep.data()) as Float32Array;
    tf.dispose([probs, deep]);
    const k = model.k;
    const dim = model.deepDim;
    for (let i = 0; i < indices.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
      out.push({ cluster: best, confidence: p[i * k + best]!, embedding: d.slice(i * dim, (i + 1) * dim) });
    }
    opts.onProgress?.(out.length, views.count);
  }
  return out;
}

/** An embedding as little-endian float32 bytes, for a SQLite BLOB column. */
export function embeddingToBlob(embedding: Float32Array): Buffer {
  const out = Buffer.alloc(embedding.length * 4);
  embedding.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

/** Inverse of `embeddingToBlob`. */
export function blobToEmbedding(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new Error(`embedding blob of ${blob.byteLength} bytes is not float32`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return Float32Array.from({ length: blob.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
