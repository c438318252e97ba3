import { describe, expect, it } from 'vitest';
import { calibrate, CONFIDENCE_CURVE, CONFIDENCE_NEIGHBOURS, confidenceNeighbours, GUIDED_CONFIDENCE_CURVE, groupConfidence, neighbourAgreement, otherStarts, startAgreement } from './confidence.js';

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

describe('startAgreement', () => {
  it('is the share of a photo’s group-mates in its cluster, averaged over the starts, leaving the photo out', () => {
    // Group 0 = photos 0..3. Start A keeps them together; start B puts photo 3 apart from 0..2.
    const partition = [0, 0, 0, 0, 1, 1];
    const a = [5, 5, 5, 5, 2, 2];
    const b = [1, 1, 1, 0, 0, 0];
    const out = [...startAgreement(partition, [a, b])];
    // Photos 0..2: A 3/3, B 2/3 → 5/6. Photo 3: A 3/3, B 0/3 → 1/2. Photos 4, 5: 1 in both.
    expect(out.slice(0, 3).every((v) => Math.abs(v - 5 / 6) < 1e-6)).toBe(true);
    expect(out[3]).toBeCloseTo(0.5, 6);
    expect(out[4]).toBeCloseTo(1, 6);
    expect(out[5]).toBeCloseTo(1, 6);
  });

  it('counts a new photo’s group-mates among the library’s photos of the group it was placed in', () => {
    // Library: group 4 = photos 0..3 (clusters 0, 0, 0, 1 in the one start), group 7 = photo 4. New photos: one
    // placed in group 4 whose start cluster is 0 (3 of 4 mates), one in group 7 in cluster 1 (photo 4 is in 0), one in
    // a group the library does not have (no mates: 0).
    const out = startAgreement([4, 7, 9], [[0, 1, 0]], { neighbourGroups: [4, 4, 4, 4, 7], neighbourStarts: [[0, 0, 0, 1, 0]] });
    expect([...out]).toEqual([0.75, 0, 0]);
  });

  it('refuses partitions that do not cover the photos', () => {
    expect(() => startAgreement([0, 0], [[0]])).toThrow(/covers/);
    expect(() => startAgreement([0, 0], [])).toThrow(/at least one/);
  });
});

describe('otherStarts', () => {
  it('leaves out the start that is the shipped partition itself, so it cannot vouch for its own groups', () => {
    const shipped = Int32Array.from([0, 0, 1, 1]);
    const relabelled = Int32Array.from([1, 1, 0, 0]);
    const other = Int32Array.from([0, 1, 1, 1]);
    const starts = [other, Int32Array.from(shipped), relabelled];
    expect(otherStarts(starts, shipped)).toEqual([other, relabelled]);
    // Without the shipped start, photo 1 (split from its group-mate in one of two starts) is less sure than with it.
    expect(startAgreement(shipped, otherStarts(starts, shipped))[1]).toBeCloseTo(0.5);
    expect(startAgreement(shipped, starts)[1]).toBeCloseTo(2 / 3);
  });

  it('keeps every start when all of them are the partition (nothing else to ask)', () => {
    const shipped = Int32Array.from([0, 1, 1]);
    expect(otherStarts([Int32Array.from(shipped), Int32Array.from(shipped)], shipped)).toHaveLength(2);
    expect(otherStarts([Int32Array.from([0, 1])], shipped)).toHaveLength(1);
  });
});

describe('calibrate', () => {
  it('maps agreement 0 and 1 to the curve’s floor and ceiling, and rises with both signals', () => {
    const ones = Float32Array.from([1, 1, 1, 1, 1]);
    const rising = Float32Array.from([0, 0.25, 0.5, 0.75, 1]);
    for (const out of [calibrate(rising, CONFIDENCE_CURVE, ones), calibrate(ones, CONFIDENCE_CURVE, rising)]) {
      expect(out[0]).toBeCloseTo(CONFIDENCE_CURVE.floor, 6);
      expect(out[4]).toBeCloseTo(CONFIDENCE_CURVE.ceiling, 6);
      for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
    }
  });

  it('needs start agreement for the curve that reads it, and not for the guided one', () => {
    expect(() => calibrate(Float32Array.from([1]), CONFIDENCE_CURVE)).toThrow(/start agreement/);
    expect(() => groupConfidence([0, 0], { neighbours: Int32Array.from([1, 0]), k: 1 })).toThrow(/k-means starts/);
    expect(calibrate(Float32Array.from([1]), GUIDED_CONFIDENCE_CURVE)[0]).toBeCloseTo(GUIDED_CONFIDENCE_CURVE.ceiling, 6);
  });

  it('never claims certainty', () => {
    const out = groupConfidence([0, 0, 0], { neighbours: Int32Array.from([1, 2, 0, 2, 0, 1]), k: 2, starts: [[0, 0, 0]] });
    for (const p of out) expect(p).toBeLessThan(1);
  });

  it('is surer of a group that every k-means start keeps together than of one the starts cut differently', () => {
    // Two groups of four whose look-alikes all agree; three starts keep group 0 whole and split group 1 two ways.
    const partition = [0, 0, 0, 0, 1, 1, 1, 1];
    const neighbours = Int32Array.from(partition.flatMap((g, i) => partition.flatMap((h, j) => (h === g && j !== i ? [j] : []))));
    const starts = [
      [0, 0, 0, 0, 1, 1, 2, 2],
      [0, 0, 0, 0, 1, 2, 1, 2],
      [0, 0, 0, 0, 1, 1, 1, 1],
    ];
    const out = groupConfidence(partition, { neighbours, k: 3, starts });
    expect(out[0]).toBeCloseTo(CONFIDENCE_CURVE.ceiling, 6);
    expect(out[4]!).toBeLessThan(out[0]! - 0.1);
    expect(out[4]!).toBeGreaterThan(CONFIDENCE_CURVE.floor);
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
