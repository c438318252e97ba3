import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { l2Normalize } from '../rows.js';
import { defaultMinClusterSize, refillSmallClusters } from './smallClusters.js';

const D = 8;

/** Unit vectors around `blobs` well separated directions, `per` each, blob-major. */
function blobs(count: number, per: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count * per * D);
  for (let b = 0; b < count; b++) for (let i = 0; i < per; i++) for (let j = 0; j < D; j++) out[(b * per + i) * D + j] = (j === b ? 10 : 0) + rng.normal() * 0.5;
  return l2Normalize(out, count * per, D);
}

/** Probabilities that put `p` on the given group and spread the rest by `second`. */
function probsFor(cluster: Int32Array, k: number, second: (i: number) => number): Float32Array {
  const probs = new Float32Array(cluster.length * k).fill(0.01);
  cluster.forEach((c, i) => {
    probs[i * k + c] = 0.9;
    probs[i * k + second(i)] = Math.max(probs[i * k + second(i)]!, 0.05);
  });
  return probs;
}

const sizes = (p: Int32Array, k: number) => {
  const s = new Array<number>(k).fill(0);
  for (const c of p) s[c]!++;
  return s;
};

describe('refillSmallClusters', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('refills an empty slot by splitting the group that holds two kinds of thing', async () => {
    const per = 30;
    const unit = blobs(3, per, 1);
    // Blobs 0 and 1 were lumped into group 0, blob 2 is group 1, group 2 is empty.
    const cluster = Int32Array.from({ length: 3 * per }, (_, i) => (i < 2 * per ? 0 : 1));
    const r = await refillSmallClusters(cluster, probsFor(cluster, 3, () => 2), unit, 3 * per, D, 3, { minSize: 3, seed: 0 });
    expect(r.refilled).toEqual([2]);
    expect(sizes(r.partition, 3)).toEqual(expect.arrayContaining([per, per, per]));
    // The split follows the blobs: each blob lands whole in one group.
    for (let b = 0; b < 3; b++) expect(new Set(r.partition.slice(b * per, (b + 1) * per)).size).toBe(1);
    expect(new Set(r.partition).size).toBe(3);
    expect(cluster.slice(2 * per).every((c) => c === 1)).toBe(true); // input untouched
  });

  it("gives a tiny group's photos to their next choice and reuses the slot", async () => {
    const per = 30;
    const unit = blobs(3, per, 2);
    // Group 2 holds only two photos of blob 2; blobs 0 and 1 are lumped in group 0; blob 2's rest is group 1.
    const cluster = Int32Array.from({ length: 3 * per }, (_, i) => (i < 2 * per ? 0 : i < 2 * per + 2 ? 2 : 1));
    const r = await refillSmallClusters(cluster, probsFor(cluster, 3, (i) => (i >= 2 * per ? 1 : 2)), unit, 3 * per, D, 3, { minSize: 3, seed: 0 });
    expect(r.refilled).toEqual([2]);
    expect(sizes(r.partition, 3).sort()).toEqual([per, per, per]);
    expect(r.partition[2 * per]).toBe(r.partition[3 * per - 1]);
  });

  it('leaves a partition without small groups alone, and a slot empty when no group is big enough to cut', async () => {
    const per = 20;
    const unit = blobs(2, per, 3);
    const fine = Int32Array.from({ length: 2 * per }, (_, i) => (i < per ? 0 : 1));
    expect(await refillSmallClusters(fine, probsFor(fine, 2, (i) => 1 - fine[i]!), unit, 2 * per, D, 2, { minSize: 3, seed: 0 })).toEqual({ partition: fine, refilled: [] });
    // Three slots, two groups of 20: a cut needs a group of at least 2 × minSize = 30.
    const tight = Int32Array.from({ length: 2 * per }, (_, i) => (i < per ? 0 : 1));
    const r = await refillSmallClusters(tight, probsFor(tight, 3, () => 2), unit, 2 * per, D, 3, { minSize: 15, seed: 0 });
    expect(r.refilled).toEqual([]);
    expect(sizes(r.partition, 3)).toEqual([per, per, 0]);
  });

  it('counts a group as tiny below 5 % of an even share, at least 2 photos', () => {
    expect(defaultMinClusterSize(10_000, 10)).toBe(50);
    expect(defaultMinClusterSize(1000, 10)).toBe(5);
    expect(defaultMinClusterSize(60, 3)).toBe(2);
  });
});
