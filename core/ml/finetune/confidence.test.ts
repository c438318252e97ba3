import { describe, expect, it } from 'vitest';
import { calibrate, CONFIDENCE_CURVE, groupConfidence, neighbourAgreement } from './confidence.js';

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
