import { Rng } from '../rng.js';

export interface KMeansOptions {
  k: number;
  seed?: number;
  /** Independent k-means++ starts; the lowest inertia wins (scikit-learn's n_init). */
  restarts?: number;
  maxIterations?: number;
  /** Stop when no centroid moves by more than this share of the data's mean variance per dimension. */
  tolerance?: number;
  /** Starting centroids (k × d) for the first start instead of k-means++ (further restarts use k-means++). */
  init?: Float32Array;
  /**
   * Also hand back where every start ended (`startCentroids`, `startAssignments`): how much the starts disagree says how
   * clear the groups are.
   */
  keepStarts?: boolean;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × d row-major. */
  centroids: Float32Array;
  /** Sum of squared distances of rows to their centroid. */
  inertia: number;
  iterations: number;
  /** With `keepStarts`: the centroids (k × d) every start converged to, in the order of the starts. */
  startCentroids?: Float32Array[];
  /** With `keepStarts`: the cluster of each row in every start (the best start's are `assignments`). */
  startAssignments?: Int32Array[];
}

/** Checks the arguments of a k-means call and resolves its options (shared with the backend implementation). */
export function kmeansRun(data: Float32Array, n: number, d: number, opts: KMeansOptions): { k: number; restarts: number; tol: number; maxIterations: number; start: (restart: number) => Float64Array } {
  const { k } = opts;
  if (data.length !== n * d) throw new Error(`data has ${data.length} values, expected ${n}×${d}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  if (k > n) throw new Error(`k (${k}) exceeds the number of rows (${n})`);
  if (opts.init && opts.init.length !== k * d) throw new Error(`init has ${opts.init.length} values, expected ${k}×${d}`);
  const rng = new Rng(`kmeans:${opts.seed ?? 0}`);
  return {
    k,
    restarts: Math.max(1, opts.restarts ?? 4),
    tol: (opts.tolerance ?? 1e-4) * meanVariance(data, n, d),
    maxIterations: opts.maxIterations ?? 300,
    start: (restart) => (restart === 0 && opts.init ? Float64Array.from(opts.init) : plusPlus(data, n, d, k, rng)),
  };
}

/**
 * Lloyd's k-means with k-means++ seeding and restarts, on `n` rows of `d` floats (row-major). Deterministic for a
 * seed. A cluster emptied during the iterations is re-seeded with the row farthest from its centroid.
 */
export function kmeans(data: Float32Array, n: number, d: number, opts: KMeansOptions): KMeansResult {
  const { k, restarts, tol, maxIterations, start } = kmeansRun(data, n, d, opts);
  const results: KMeansResult[] = [];
  for (let r = 0; r < restarts; r++) results.push(lloyd(data, n, d, k, start(r), maxIterations, tol));
  return bestOfStarts(results, opts.keepStarts ?? false);
}

/** The start with the lowest inertia (the first among equals), with every start's end when `keepStarts`. */
export function bestOfStarts(results: readonly KMeansResult[], keepStarts: boolean): KMeansResult {
  let best = results[0]!;
  for (const result of results) if (result.inertia < best.inertia) best = result;
  return keepStarts ? { ...best, startCentroids: results.map((r) => r.centroids), startAssignments: results.map((r) => r.assignments) } : best;
}

export function meanVariance(data: Float32Array, n: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j]!;
      s += v;
      s2 += v * v;
    }
    total += s2 / n - (s / n) ** 2;
  }
  return total / d;
}

function sqDist(data: Float32Array, i: number, centroids: Float64Array, c: number, d: number): number {
  let s = 0;
  const a = i * d;
  const b = c * d;
  for (let j = 0; j < d; j++) {
    const diff = data[a + j]! - centroids[b + j]!;
    s += diff * diff;
  }
  return s;
}

/** k-means++: first centre uniform, each next one drawn with probability ∝ squared distance to the nearest centre. */
export function plusPlus(data: Float32Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centroids = new Float64Array(k * d);
  const setCentre = (c: number, row: number): void => {
    for (let j = 0; j < d; j++) centroids[c * d + j] = data[row * d + j]!;
  };
  setCentre(0, rng.int(n));
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = sqDist(data, i, centroids, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i]!;
    let pick = 0;
    if (total > 0) {
      let target = rng.float() * total;
      for (pick = 0; pick < n - 1; pick++) {
        target -= nearest[pick]!;
        if (target < 0) break;
      }
    } else {
      pick = rng.int(n);
    }
    setCentre(c, pick);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i]!, sqDist(data, i, centroids, c, d));
  }
  return centroids;
}

/** Index of the centroid nearest to row i, and its squared distance. */
function nearest(data: Float32Array, i: number, centroids: Float64Array, k: number, d: number): { c: number; dist: number } {
  let c = 0;
  let dist = Infinity;
  for (let j = 0; j < k; j++) {
    const dd = sqDist(data, i, centroids, j, d);
    if (dd < dist) {
      dist = dd;
      c = j;
    }
  }
  return { c, dist };
}

/**
 * Lloyd's update step, shared by both k-means implementations: every centroid moves to the mean of its rows; an empty
 * cluster is re-seeded at the row currently worst served (its `dist` is zeroed so that the next empty one picks
 * another). Mutates `assignments`, `dist` and `centroids`; returns how many rows were re-seeded and the largest move.
 */
export function updateCentroids(
  data: Float32Array,
  n: number,
  d: number,
  k: number,
  assignments: Int32Array,
  dist: Float64Array,
  centroids: Float64Array,
): { reseeded: number; shift: number } {
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[assignments[i]!]!++;
  let reseeded = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    let far = 0;
    for (let i = 1; i < n; i++) if (dist[i]! > dist[far]!) far = i;
    dist[far] = 0;
    counts[assignments[far]!]!--;
    assignments[far] = c;
    counts[c] = 1;
    reseeded++;
  }
  const { means } = partitionMeans(data, n, d, assignments, k);
  let shift = 0;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const next = counts[c]! > 0 ? means[c * d + j]! : centroids[c * d + j]!;
      shift = Math.max(shift, Math.abs(next - centroids[c * d + j]!));
      centroids[c * d + j] = next;
    }
  }
  return { reseeded, shift };
}

function lloyd(data: Float32Array, n: number, d: number, k: number, centroids: Float64Array, maxIterations: number, tol: number): KMeansResult {
  const assignments = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const best = nearest(data, i, centroids, k, d);
      if (assignments[i] !== best.c) changed++;
      assignments[i] = best.c;
      dist[i] = best.dist;
    }
    const step = updateCentroids(data, n, d, k, assignments, dist, centroids);
    changed += step.reseeded;
    const shift = step.shift;
    if (changed === 0 || shift * shift <= tol) {
      iterations++;
      break;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const best = nearest(data, i, centroids, k, d);
    assignments[i] = best.c;
    inertia += best.dist;
  }
  return { assignments, centroids: Float32Array.from(centroids), inertia, iterations };
}

/** Index of the nearest centroid (squared Euclidean) of every row. */
export function nearestCentroid(data: Float32Array, n: number, d: number, centroids: Float32Array, k: number): Int32Array {
  const at = Float64Array.from(centroids);
  return Int32Array.from({ length: n }, (_, i) => nearest(data, i, at, k, d).c);
}

/** Mean row (k × d) and size of each part of a partition; an empty part's mean is all zeros. */
export function partitionMeans(data: Float32Array, n: number, d: number, partition: ArrayLike<number>, k: number): { means: Float64Array; sizes: Int32Array } {
  const means = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = partition[i]!;
    sizes[c]! += 1;
    for (let j = 0; j < d; j++) means[c * d + j]! += data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) if (sizes[c]) for (let j = 0; j < d; j++) means[c * d + j]! /= sizes[c]!;
  return { means, sizes };
}
