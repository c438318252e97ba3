import { describe, expect, it } from 'vitest';
import { calibrate, CONFIDENCE_CURVE, CONFIDENCE_NEIGHBOURS, confidenceNeighbours, groupConfidence, neighbourAgreement } from './confidence.js';

describe('neighbourAgreement', () => {
  it('is the share of each photo’s neighbours in its group', () => {
    // Photo 0's neighbours 1, 2 (same group, other group) → 0.5; photo 3's neighbours both elsewhere → 0.
    const partition = [0, 0, 1, 1];
    const neighbours = Int32Array.from([1, 2, 0, 2, 3, 1, 0, 1]);
    expect([...neighbourAgreement(partition, { neighbours, k: 2 })]).toEqual([0.5, 0.5, 0.5, 0]);
  });

  it('reads the neighbours’ groups from a separate list when they are other photos', () => {
    // Two new photos placed in groups 4 and 7; their neighbours are library photos 0..2 in groups 4, 4, 7.
    const out = neighbourAgreement([4, 7], { neighbours: Int32Array.from([0, 1, 1, 2]), k: 2, neighbourGroups: [4, 4, 7] });
    expect([...out]).toEqual([1, 0.5]);
  });
});

describe('calibrate', () => {
  it('maps agreement 0 and 1 to the curve’s floor and ceiling, and rises in between', () => {
    const out = calibrate(Float32Array.from([0, 0.25, 0.5, 0.75, 1]));
    expect(out[0]).toBeCloseTo(CONFIDENCE_CURVE.floor, 6);
    expect(out[4]).toBeCloseTo(CONFIDENCE_CURVE.ceiling, 6);
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
  });

  it('never claims certainty', () => {
    const out = groupConfidence([0, 0, 0], { neighbours: Int32Array.from([1, 2, 0, 2, 0, 1]), k: 2 });
    for (const p of out) expect(p).toBeLessThan(1);
  });
});

describe('confidenceNeighbours', () => {
  it('asks fewer look-alikes when groups are small, never fewer than 5, and 20 from 100 photos per group', () => {
    expect(confidenceNeighbours(200, 10)).toBe(5);
    expect(confidenceNeighbours(400, 10)).toBe(8);
    expect(confidenceNeighbours(600, 10)).toBe(12);
    expect(confidenceNeighbours(1000, 10)).toBe(CONFIDENCE_NEIGHBOURS);
    expect(confidenceNeighbours(10_000, 10)).toBe(CONFIDENCE_NEIGHBOURS);
    expect(confidenceNeighbours(40, 10)).toBe(5);
    expect(confidenceNeighbours(0, 0)).toBe(5);
  });

  it('lets a photo of a small pure group be sure: its group is all of its nearest look-alikes', () => {
    // Two groups of 6 photos; each photo's neighbour list starts with its 5 group mates, then the other group's 6.
    const n = 12;
    const width = 11;
    const partition = Array.from({ length: n }, (_, i) => (i < 6 ? 0 : 1));
    const neighbours = new Int32Array(n * width);
    for (let i = 0; i < n; i++) {
      const mates = partition.flatMap((g, j) => (g === partition[i] && j !== i ? [j] : []));
      const others = partition.flatMap((g, j) => (g !== partition[i] ? [j] : []));
      neighbours.set([...mates, ...others], i * width);
    }
    const k = confidenceNeighbours(n, 2);
    const prefix = Int32Array.from({ length: n * k }, (_, e) => neighbours[Math.floor(e / k) * width + (e % k)]!);
    expect([...neighbourAgreement(partition, { neighbours: prefix, k })].every((a) => a === 1)).toBe(true);
    expect(Math.max(...neighbourAgreement(partition, { neighbours, k: width }))).toBeLessThan(0.5);
  });
});
