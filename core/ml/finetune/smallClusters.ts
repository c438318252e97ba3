/**
 * Empty and tiny groups after training. Self-labelling can let a cluster die (no photo's argmax lands on it), and the
 * user who asked for K groups then sees fewer, while some other group holds two kinds of thing. The repair, as in
 * bisecting k-means: the photos of a tiny group go to their second choice, then the group with the largest spread
 * around its centre (sum of squared cosine distances of its photos' embeddings) is cut in two by 2-means, until every
 * slot holds at least `minSize` photos or nothing is left to cut.
 */
import { partitionMeans } from '../kmeans/kmeans.js';
import { kmeansOnBackend } from '../kmeans/kmeansBackend.js';
import { selectRows } from '../rows.js';

export interface RefillOptions {
  /** A group with fewer photos is emptied and its slot refilled. */
  minSize: number;
  seed: number;
}

export interface RefillResult {
  partition: Int32Array;
  /** Slots that were empty or tiny, in the order they were refilled. */
  refilled: number[];
}

/** The default size below which a group counts as tiny: 5 % of an even share, at least 2 photos. */
export function defaultMinClusterSize(n: number, k: number): number {
  return Math.max(2, Math.round((0.05 * n) / k));
}

/**
 * `cluster`: each photo's group (0..k-1); `probs`: n×k probabilities (for second choices); `unit`: n×d unit-length
 * embeddings. Returns a new partition; the input arrays are not modified.
 */
export async function refillSmallClusters(cluster: Int32Array, probs: Float32Array, unit: Float32Array, n: number, d: number, k: number, opts: RefillOptions): Promise<RefillResult> {
  const partition = Int32Array.from(cluster);
  const sizes = new Int32Array(k);
  for (const c of partition) sizes[c]!++;
  const small = new Set<number>();
  for (let c = 0; c < k; c++) if (sizes[c]! < opts.minSize) small.add(c);
  if (small.size === 0 || small.size === k) return { partition, refilled: [] };
  // Tiny groups give their photos to their best choice among the groups that stay.
  for (let i = 0; i < n; i++) {
    if (!small.has(partition[i]!)) continue;
    let best = -1;
    for (let c = 0; c < k; c++) if (!small.has(c) && (best < 0 || probs[i * k + c]! > probs[i * k + best]!)) best = c;
    partition[i] = best;
  }
  const refilled: number[] = [];
  for (const slot of [...small].sort((a, b) => a - b)) {
    const target = widestCluster(partition, unit, n, d, k, 2 * opts.minSize, small);
    if (target < 0) break;
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (partition[i] === target) rows.push(i);
    const halves = (await kmeansOnBackend(selectRows(unit, d, rows), rows.length, d, { k: 2, seed: opts.seed + slot, restarts: 4 })).assignments;
    let moved = 0;
    rows.forEach((r, j) => {
      if (halves[j] === 1) {
        partition[r] = slot;
        moved++;
      }
    });
    // A cut that leaves a tiny half is no group either; undo it and stop.
    if (moved < opts.minSize || rows.length - moved < opts.minSize) {
      rows.forEach((r) => (partition[r] = target));
      break;
    }
    small.delete(slot);
    refilled.push(slot);
  }
  return { partition, refilled };
}

/** The group (not in `exclude`, with at least `minRows` photos) with the largest sum of squared distances to its mean. */
function widestCluster(partition: Int32Array, unit: Float32Array, n: number, d: number, k: number, minRows: number, exclude: Set<number>): number {
  const { means, sizes } = partitionMeans(unit, n, d, partition, k);
  const sq = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[partition[i]!]! += unit[i * d + j]! ** 2;
  let best = -1;
  let bestSpread = -Infinity;
  for (let c = 0; c < k; c++) {
    if (exclude.has(c) || sizes[c]! < minRows) continue;
    let meanSq = 0;
    for (let j = 0; j < d; j++) meanSq += means[c * d + j]! ** 2;
    // Σ|x − μ|² = Σ|x|² − size·|μ|²
    const spread = sq[c]! - sizes[c]! * meanSq;
    if (spread > bestSpread) {
      bestSpread = spread;
      best = c;
    }
  }
  return best;
}
