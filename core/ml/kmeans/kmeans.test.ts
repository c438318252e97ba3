import { describe, expect, it } from 'vitest';
import { kmeans, nearestCentroid, partitionMeans } from './kmeans.js';
import { Rng } from '../rng.js';
import { clusteringAccuracy } from '../../metrics/clustering.js';

function blobs(perBlob: number, centres: number[][], spread: number, seed: number): { data: Float32Array; labels: number[] } {
  const r = new Rng(seed);
  const d = centres[0]!.length;
  const data = new Float32Array(perBlob * centres.length * d);
  const labels: number[] = [];
  let row = 0;
  centres.forEach((c, k) => {
    for (let i = 0; i < perBlob; i++, row++) {
      labels.push(k);
      for (let j = 0; j < d; j++) data[row * d + j] = c[j]! + spread * r.normal();
    }
  });
  return { data, labels };
}

describe('k-means', () => {
  const centres = [
    [0, 0, 0],
    [10, 0, 0],
    [0, 10, 0],
    [0, 0, 10],
  ];

  it('recovers well separated blobs exactly', () => {
    const { data, labels } = blobs(50, centres, 0.5, 1);
    const result = kmeans(data, 200, 3, { k: 4, seed: 3 });
    expect(clusteringAccuracy(labels, result.assignments)).toBe(1);
    expect(result.centroids).toHaveLength(12);
    expect(result.inertia).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', () => {
    const { data } = blobs(40, centres, 4, 2);
    const a = kmeans(data, 160, 3, { k: 4, seed: 7 });
    const b = kmeans(data, 160, 3, { k: 4, seed: 7 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.inertia).toBe(b.inertia);
  });

  it('keeps the best of several restarts', () => {
    const { data } = blobs(40, centres, 4, 2);
    const one = kmeans(data, 160, 3, { k: 4, seed: 1, restarts: 1 });
    const many = kmeans(data, 160, 3, { k: 4, seed: 1, restarts: 8 });
    expect(many.inertia).toBeLessThanOrEqual(one.inertia);
  });

  it('handles duplicate rows and k equal to the number of rows', () => {
    const data = Float32Array.from([1, 1, 1, 1, 5, 5]);
    const result = kmeans(data, 3, 2, { k: 3, seed: 1 });
    expect(result.inertia).toBe(0);
    expect(result.assignments[0]).toBe(result.assignments[1]);
    expect(result.assignments[2]).not.toBe(result.assignments[0]);
    expect(Array.from(result.assignments).every((a) => a >= 0 && a < 3)).toBe(true);
  });

  it('starts from given centroids when asked: each start ends in its own local optimum', () => {
    const data = Float32Array.from([0, 1, 10, 11, 20, 21]);
    const left = kmeans(data, 6, 1, { k: 2, init: Float32Array.from([0.5, 15.5]), restarts: 1 });
    const right = kmeans(data, 6, 1, { k: 2, init: Float32Array.from([5.5, 20.5]), restarts: 1 });
    expect(Array.from(left.assignments)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(Array.from(left.centroids)).toEqual([0.5, 15.5]);
    expect(Array.from(right.assignments)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(Array.from(right.centroids)).toEqual([5.5, 20.5]);
    expect(() => kmeans(data, 6, 1, { k: 2, init: Float32Array.from([1]) })).toThrow(/init has 1 values, expected 2×1/);
  });

  it('hands back where every start ended when asked, the best among them', () => {
    const data = Float32Array.from([0, 1, 10, 11, 20, 21]);
    const plain = kmeans(data, 6, 1, { k: 2, init: Float32Array.from([5.5, 20.5]), restarts: 3, seed: 2 });
    expect(plain.startCentroids).toBeUndefined();
    const kept = kmeans(data, 6, 1, { k: 2, init: Float32Array.from([5.5, 20.5]), restarts: 3, seed: 2, keepStarts: true });
    expect(kept.startCentroids).toHaveLength(3);
    expect(Array.from(kept.startCentroids![0]!)).toEqual([5.5, 20.5]);
    expect(kept.startCentroids!.some((c) => c.every((v, j) => v === kept.centroids[j]))).toBe(true);
    expect(Array.from(kept.assignments)).toEqual(Array.from(plain.assignments));
    // Each start's rows, as they lie to that start's centres; the best start's are the result's.
    expect(plain.startAssignments).toBeUndefined();
    expect(kept.startAssignments).toHaveLength(3);
    kept.startAssignments!.forEach((a, r) => expect(Array.from(a)).toEqual(Array.from(nearestCentroid(data, 6, 1, kept.startCentroids![r]!, 2))));
    expect(kept.startAssignments!.some((a) => a.every((c, i) => c === kept.assignments[i]))).toBe(true);
  });

  it('averages the rows of each part; an empty part is all zeros; rows go to their nearest mean', () => {
    const data = Float32Array.from([0, 0, 2, 2, 10, 10, 12, 14]);
    const { means, sizes } = partitionMeans(data, 4, 2, [0, 0, 2, 2], 3);
    expect(Array.from(means)).toEqual([1, 1, 0, 0, 11, 12]);
    expect(Array.from(sizes)).toEqual([2, 0, 2]);
    expect(Array.from(nearestCentroid(Float32Array.from([1.5, 1, 9, 9]), 2, 2, Float32Array.from(means), 3))).toEqual([0, 2]);
  });

  it('rejects impossible requests', () => {
    expect(() => kmeans(new Float32Array(4), 2, 2, { k: 3 })).toThrow(/exceeds/);
    expect(() => kmeans(new Float32Array(5), 2, 2, { k: 1 })).toThrow(/expected 2×2/);
  });
});
