/** Nearest neighbours by cosine similarity, computed in row blocks on the TF.js backend. */
import { tf } from '../runtime/tf.js';
import type { Tensor2D } from '../runtime/tf.js';

/**
 * The `k` most similar other rows of each of `n` unit-length rows (`d` floats each), most similar first:
 * n × k row-major indices. Ties break towards the lower index (tf.topk is stable).
 */
export async function nearestNeighbours(unit: Float32Array, n: number, d: number, k: number, blockRows = 512): Promise<Int32Array> {
  if (k >= n) throw new Error(`k (${k}) must be smaller than the number of rows (${n})`);
  return topSimilar(unit, n, unit, n, d, k, true, blockRows);
}

/** The `k` rows of `reference` (m unit rows) most similar to each of the `n` unit rows of `query`: n × k indices into `reference`. */
export async function nearestIn(query: Float32Array, n: number, reference: Float32Array, m: number, d: number, k: number, blockRows = 512): Promise<Int32Array> {
  if (k > m) throw new Error(`k (${k}) exceeds the number of reference rows (${m})`);
  return topSimilar(query, n, reference, m, d, k, false, blockRows);
}

async function topSimilar(query: Float32Array, n: number, reference: Float32Array, m: number, d: number, k: number, excludeSelf: boolean, blockRows: number): Promise<Int32Array> {
  const out = new Int32Array(n * k);
  const all = tf.tensor2d(reference, [m, d]);
  const queries = query === reference ? all : tf.tensor2d(query, [n, d]);
  try {
    for (let start = 0; start < n; start += blockRows) {
      const rows = Math.min(blockRows, n - start);
      const idx = tf.tidy(() => {
        const block = tf.slice(queries, [start, 0], [rows, d]) as Tensor2D;
        const sim = tf.matMul(block, all, false, true);
        if (!excludeSelf) return tf.topk(sim, k).indices;
        // Exclude each row itself.
        const self = tf.oneHot(tf.range(start, start + rows, 1, 'int32'), m);
        return tf.topk(tf.sub(sim, tf.mul(self, 4)), k).indices;
      });
      out.set((await idx.data()) as Int32Array, start * k);
      idx.dispose();
    }
  } finally {
    all.dispose();
    if (queries !== all) queries.dispose();
  }
  return out;
}
