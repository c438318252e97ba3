import { describe, expect, it } from 'vitest';
import { choosePartition, neighbourModularity } from './partitionCheck.js';

/** Modularity by its textbook formula on the symmetrised adjacency matrix (A + Aᵀ), for comparison. */
function modularityByMatrix(partition: number[], neighbours: number[][]): number {
  const n = partition.length;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  neighbours.forEach((row, i) => row.forEach((j) => { a[i]![j]! += 1; a[j]![i]! += 1; }));
  const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
  const twoM = degree.reduce((s, v) => s + v, 0);
  let q = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (partition[i] === partition[j]) q += a[i]![j]! - (degree[i]! * degree[j]!) / twoM;
  return q / twoM;
}

describe('neighbourModularity', () => {
  it('equals the textbook modularity of the symmetrised neighbour graph', () => {
    const neighbours = [[1, 2], [0, 2], [1, 3], [4, 5], [3, 5], [4, 2]];
    for (const partition of [[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1], [3, 3, 3, 3, 3, 3]]) {
      expect(neighbourModularity(partition, Int32Array.from(neighbours.flat()), 2)).toBeCloseTo(modularityByMatrix(partition, neighbours), 12);
    }
  });

  it('refuses a table of the wrong size', () => {
    expect(() => neighbourModularity([0, 1], new Int32Array(3), 2)).toThrow(/4|3 entries/);
  });
});

describe('choosePartition', () => {
  // Two tight triples {0,1,2} and {3,4,5}: each photo's neighbours are the other two of its triple.
  const neighbours = Int32Array.from([1, 2, 0, 2, 0, 1, 4, 5, 3, 5, 3, 4]);
  const keepsTriples = Int32Array.from([0, 0, 0, 1, 1, 1]);
  const cutsTriples = Int32Array.from([0, 0, 1, 1, 0, 1]);

  it('ships the head when it keeps look-alikes together better, and says so', () => {
    const c = choosePartition(keepsTriples, cutsTriples, neighbours, 2);
    expect(c.shipped).toBe('head');
    expect(c.partition).toBe(keepsTriples);
    expect(c.scores.head).toBeGreaterThan(c.scores.kmeans);
    expect(c.reason).toMatch(/trained network's groups were kept/);
  });

  it('ships k-means when the head cut look-alikes apart', () => {
    const c = choosePartition(cutsTriples, keepsTriples, neighbours, 2);
    expect(c.shipped).toBe('kmeans');
    expect(c.partition).toBe(keepsTriples);
    expect(c.reason).toMatch(/Plain k-means groups were kept: the trained network's groups split look-alike photos apart/);
  });

  it('keeps the head on a tie, and when it falls short of k-means by less than the tolerance', () => {
    expect(choosePartition(keepsTriples, Int32Array.from([1, 1, 1, 0, 0, 0]), neighbours, 2).shipped).toBe('head');
    const gap = neighbourModularity(keepsTriples, neighbours, 2) - neighbourModularity(cutsTriples, neighbours, 2);
    expect(choosePartition(cutsTriples, keepsTriples, neighbours, 2, gap + 1e-9).shipped).toBe('head');
    expect(choosePartition(cutsTriples, keepsTriples, neighbours, 2, gap - 1e-9).shipped).toBe('kmeans');
  });
});
