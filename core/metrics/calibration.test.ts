import { describe, expect, it } from 'vitest';
import { calibration, inMajorityClass } from './calibration.js';

describe('inMajorityClass', () => {
  it('marks the photos of each cluster that share its most frequent label', () => {
    // cluster 0: labels 1,1,2 → majority 1; cluster 5: labels 0,2,2,0 → tie, smallest label (0) wins.
    const labels = [1, 1, 2, 0, 2, 2, 0];
    const clusters = [0, 0, 0, 5, 5, 5, 5];
    expect([...inMajorityClass(labels, clusters)]).toEqual([1, 1, 0, 1, 0, 0, 1]);
  });

  it('refuses labels and clusters of different lengths', () => {
    expect(() => inMajorityClass([0, 1], [0])).toThrow(/2 labels for 1/);
  });
});

describe('calibration', () => {
  it('is zero when every bin claims what it observes', () => {
    // 10 photos at 0.7 of which 7 are right, 4 at 0.25 of which 1 is right.
    const confidence = [...Array(10).fill(0.7), ...Array(4).fill(0.25)];
    const correct = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0];
    const c = calibration(confidence, correct);
    expect(c.ece).toBeCloseTo(0, 10);
    expect(c.meanConfidence).toBeCloseTo((7 + 1) / 14, 10);
    expect(c.observed).toBeCloseTo(8 / 14, 10);
  });

  it('weighs each bin by its photos', () => {
    // Bin (0.9, 1.0]: 4 photos at 0.95, half right → gap 0.45. Bin (0.5, 0.6]: 6 photos at 0.55, all right → gap 0.45.
    const confidence = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55];
    const correct = [1, 1, 0, 0, 1, 1, 1, 1, 1, 1];
    const c = calibration(confidence, correct);
    expect(c.ece).toBeCloseTo(0.4 * 0.45 + 0.6 * 0.45, 10);
    expect(c.maxGap).toBeCloseTo(0.45, 10);
    const used = c.bins.filter((b) => b.photos > 0);
    expect(used.map((b) => [b.lo, b.photos, b.observed])).toEqual([
      [0.5, 6, 1],
      [0.9, 4, 0.5],
    ]);
  });

  it('puts a confidence on a bin edge in the bin below it, and 0 in the first', () => {
    const c = calibration([0, 0.1, 0.2, 1], [0, 0, 1, 1]);
    expect(c.bins[0]!.photos).toBe(2);
    expect(c.bins[1]!.photos).toBe(1);
    expect(c.bins[9]!.photos).toBe(1);
  });

  it('refuses confidences outside [0, 1] and empty input', () => {
    expect(() => calibration([1.2], [1])).toThrow(/outside \[0, 1\]/);
    expect(() => calibration([], [])).toThrow(/at least one/);
  });
});
