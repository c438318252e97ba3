/**
 * k-means with Lloyd's iterations on the TF.js backend: the assignment step is one matrix product, which makes
 * k-means on thousands of 768-d backbone embeddings take seconds instead of minutes in plain JavaScript. Same
 * seeding (k-means++ from the same seeded stream), restarts, empty-cluster rule and result as `kmeans`.
 */
import { tf } from '../runtime/tf.js';
import type { Tensor2D } from '../runtime/tf.js';
import { bestOfStarts, kmeansRun, updateCentroids, type KMeansOptions, type KMeansResult } from './kmeans.js';

export async function kmeansOnBackend(data: Float32Array, n: number, d: number, opts: KMeansOptions): Promise<KMeansResult> {
  const { k, restarts, tol, maxIterations, start } = kmeansRun(data, n, d, opts);
  const x = tf.tensor2d(data, [n, d]);
  const xx = tf.sum(tf.square(x), 1, true);
  try {
    const results: KMeansResult[] = [];
    for (let r = 0; r < restarts; r++) results.push(await lloyd(x, xx, data, n, d, k, start(r), maxIterations, tol));
    return bestOfStarts(results, opts.keepStarts ?? false);
  } finally {
    tf.dispose([x, xx]);
  }
}

/** Nearest centroid of every row and its squared distance. */
async function assign(x: Tensor2D, xx: tf.Tensor, centroids: Float64Array, k: number, d: number): Promise<{ c: Int32Array; dist: Float32Array }> {
  const [c, dist] = tf.tidy(() => {
    const cT = tf.tensor2d(Float32Array.from(centroids), [k, d]);
    const dists = tf.add(tf.sub(xx, tf.mul(tf.matMul(x, cT, false, true), 2)), tf.reshape(tf.sum(tf.square(cT), 1), [1, k]));
    return [tf.argMin(dists, 1), tf.relu(tf.min(dists, 1))];
  });
  // Asynchronous reads: a GPU backend (WebGPU) has no synchronous download.
  const out = { c: (await c.data()) as Int32Array, dist: (await dist.data()) as Float32Array };
  tf.dispose([c, dist]);
  return out;
}

async function lloyd(x: Tensor2D, xx: tf.Tensor, data: Float32Array, n: number, d: number, k: number, centroids: Float64Array, maxIterations: number, tol: number): Promise<KMeansResult> {
  const assignments = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const { c, dist } = await assign(x, xx, centroids, k, d);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (assignments[i] !== c[i]) changed++;
      assignments[i] = c[i]!;
    }
    const step = updateCentroids(data, n, d, k, assignments, Float64Array.from(dist), centroids);
    changed += step.reseeded;
    const shift = step.shift;
    if (changed === 0 || shift * shift <= tol) {
      iterations++;
      break;
    }
  }
  const { c, dist } = await assign(x, xx, centroids, k, d);
  assignments.set(c);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist[i]!;
  return { assignments, centroids: Float32Array.from(centroids), inertia, iterations };
}
