import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { adjustedRandIndex, bcubed, bcubedGraph, clusteringAccuracy, contingency, normalizedMutualInfo, scoreClustering } from './clustering.js';

interface Case {
  name: string;
  labels: number[];
  clusters: number[];
  acc: number;
  nmi: number;
  nmiGeometric: number;
  ari: number;
  bcubed: { precision: number; recall: number; f: number };
}
const fixtures = JSON.parse(fs.readFileSync(new URL('./fixtures/clustering.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  graph: { labels: number[]; neighbours: number[][]; bcubed: Case['bcubed'] };
};

const close = (actual: number, expected: number): void => expect(Math.abs(actual - expected)).toBeLessThan(1e-9);

describe('clustering metrics against scikit-learn / SciPy fixtures', () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      close(clusteringAccuracy(c.labels, c.clusters), c.acc);
      close(normalizedMutualInfo(c.labels, c.clusters, 'arithmetic'), c.nmi);
      close(normalizedMutualInfo(c.labels, c.clusters, 'geometric'), c.nmiGeometric);
      close(adjustedRandIndex(c.labels, c.clusters), c.ari);
      const b = bcubed(c.labels, c.clusters);
      close(b.precision, c.bcubed.precision);
      close(b.recall, c.bcubed.recall);
      close(b.f, c.bcubed.f);
    });
  }

  it('BCubed of a pseudo-graph', () => {
    const g = fixtures.graph;
    const b = bcubedGraph(g.labels, (i) => g.neighbours[i]!);
    close(b.precision, g.bcubed.precision);
    close(b.recall, g.bcubed.recall);
    close(b.f, g.bcubed.f);
  });
});

describe('clustering metrics: behaviour', () => {
  it('builds the contingency table over sorted ids', () => {
    const c = contingency([1, 1, 0, 0, 0], [9, 4, 4, 4, 9]);
    expect(c.classes).toEqual([0, 1]);
    expect(c.clusters).toEqual([4, 9]);
    expect(c.table).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  it('ACC is invariant to renaming clusters and uses each cluster once', () => {
    expect(clusteringAccuracy([0, 0, 1, 1], [7, 7, 3, 3])).toBe(1);
    // Two classes merged into one cluster: only one of them can be matched.
    expect(clusteringAccuracy([0, 0, 1, 1], [5, 5, 5, 5])).toBe(0.5);
  });

  it('ARI stays exact for large pair counts', () => {
    const n = 200_000;
    const labels = Array.from({ length: n }, (_, i) => i % 10);
    const clusters = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : i % 10));
    const s = scoreClustering(labels, clusters);
    expect(s.acc).toBeCloseTo(0.9, 12);
    expect(s.ari).toBeGreaterThan(0.8);
    expect(s.ari).toBeLessThan(1);
  });

  it('rejects labels and clusters of different lengths', () => {
    expect(() => clusteringAccuracy([0, 1], [0])).toThrow(/differ in length/);
  });
});
