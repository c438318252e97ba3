/**
 * What k-means sorts a small folder's photos by: each photo's embedding centred on the folder's mean, then averaged
 * with its closest look-alikes (found in that centred space).
 *
 * Why: a pretrained network's pooled features are all positive, so every photo shares one large common direction and
 * cosine similarity is dominated by it; taking the folder's mean away leaves what tells the photos apart. Averaging a
 * photo with its few nearest look-alikes (a low-pass filter on the look-alike graph, in the spirit of SCAN's
 * neighbour consistency) pulls a photo that is an odd view of its kind towards the others of that kind before k-means
 * draws boundaries. Measured offline on the bench's dumped features of 20 folders (six 10-kind folders of 200–1,341
 * clothing and CIFAR-10 photos, 14 of 3–6 kinds), best of 30 k-means starts, six seeds each: ACC 0.634 plain, 0.640
 * centred, 0.663 / 0.662 / 0.659 centred and averaged with 3 / 5 / 8 look-alikes (NMI 0.488 → 0.514 with 5); the
 * photo's own weight 0.3 or 0.5 and one or two rounds of averaging all within 0.002; look-alikes found before centring
 * 0.649. All 1,341 clothing photos 0.603 → 0.625, 1,000 CIFAR-10 photos 0.401 → 0.410.
 */
import { nearestNeighbours } from './neighbours.js';
import { l2Normalize } from '../rows.js';

/** Look-alikes each photo is averaged with. */
export const GROUPING_NEIGHBOURS = 5;

/** The photo's own share of its averaged embedding; the rest is its look-alikes' mean. */
const OWN_WEIGHT = 0.5;

/** `n` unit rows of `d` floats, centred on their mean and scaled to unit length again. A row equal to the mean stays as it was. */
export function centred(unit: Float32Array, n: number, d: number): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += unit[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = unit[i * d + j]! - mean[j]!;
  return keepWhereZero(l2Normalize(out, n, d), unit, n, d);
}

/**
 * The rows k-means groups a folder by (see the header): `unit` centred, each row averaged with its GROUPING_NEIGHBOURS
 * most similar other rows in the centred space, at unit length. Folders too small for look-alikes are only centred.
 */
export async function groupingFeatures(unit: Float32Array, n: number, d: number, neighbours = GROUPING_NEIGHBOURS): Promise<Float32Array> {
  const base = centred(unit, n, d);
  const k = Math.min(neighbours, n - 1);
  if (k < 1) return base;
  const near = await nearestNeighbours(base, n, d, k);
  const out = new Float32Array(n * d);
  const share = (1 - OWN_WEIGHT) / k;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) out[row + j] = OWN_WEIGHT * base[row + j]!;
    for (let m = 0; m < k; m++) {
      const other = near[i * k + m]! * d;
      for (let j = 0; j < d; j++) out[row + j]! += share * base[other + j]!;
    }
  }
  return keepWhereZero(l2Normalize(out, n, d), base, n, d);
}

/** `rows` with any all-zero row (nothing left after centring or averaging) taken from `fallback` instead. */
function keepWhereZero(rows: Float32Array, fallback: Float32Array, n: number, d: number): Float32Array {
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let j = 0; j < d && !any; j++) any = rows[i * d + j] !== 0;
    if (!any) rows.set(fallback.subarray(i * d, (i + 1) * d), i * d);
  }
  return rows;
}
