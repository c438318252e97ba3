/** Nearest neighbours by cosine similarity, computed in row blocks on the TF.js backend. */
import { tf } from '../tf.js';
import type { Tensor2D } from '../tf.js';

/**
 * The `k` most similar other rows of each of `n` unit-length rows (`d` floats each), most similar first:
 * n × k row-major indices. Ties break towards the lower index (tf.topk is stable).
 */
export async function nearestNeighbours(unit: Float32Array, n: number, d: number, k: number, blockRows = 512): Promise<Int32Array> {
  if (k >= n) throw new Error(`k (${k}) must be smaller than the number of rows (${n})`);
  const out = new Int32Array(n * k);
  const all = tf.tensor2d(unit, [n, d]);
  try {
    for (let start = 0; start < n; start += blockRows) {
      const rows = Math.min(blockRows, n - start);
      const idx = tf.tidy(() => {
        const block = tf.slice(all, [start, 0], [rows, d]) as Tensor2D;
        const sim = tf.matMul(block, all, false, true);
        // Exclude each row itself.
        const self = tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n);
        return tf.topk(tf.sub(sim, tf.mul(self, 4)), k).indices;
      });
      out.set((await idx.data()) as Int32Array, start * k);
      idx.dispose();
    }
  } finally {
    all.dispose();
  }
  return out;
}
