import { describe, expect, it } from 'vitest';
import { correctionEvidence, expectedRightShare, liftDoubt, scaleDoubt } from './correctedDoubt.js';

const mean = (xs: ArrayLike<number>, keep: (i: number) => boolean = () => true) => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (keep(i)) (s += xs[i]!), n++;
  return s / n;
};

describe('correctionEvidence', () => {
  it('adds up the doubt of every photo the run placed, the ones found wrong, and the ones left alone', () => {
    const e = correctionEvidence([
      { confidence: 0.9, handled: 'untouched' },
      { confidence: 0.4, handled: 'found-wrong' },
      { confidence: 0.7, handled: 'kept' },
      { confidence: 0.5, handled: 'untouched' },
    ]);
    expect(e.expectedWrong).toBeCloseTo(0.1 + 0.6 + 0.3 + 0.5, 6);
    expect(e.foundWrong).toBe(1);
    expect(e.untouched).toBe(2);
  });

  it('reads confidences outside 0..1 at the bound and skips ones that are not numbers', () => {
    const e = correctionEvidence([
      { confidence: 1.2, handled: 'untouched' },
      { confidence: -0.5, handled: 'untouched' },
      { confidence: Number.NaN, handled: 'found-wrong' },
    ]);
    expect(e).toEqual({ expectedWrong: 1, foundWrong: 0, untouched: 2 });
  });
});

describe('expectedRightShare', () => {
  it('is what the run expected wrong, less what the user found, spread over the photos left alone', () => {
    // 200 photos, 80 expected wrong, 50 found: 30 wrong left among the 140 untouched.
    expect(expectedRightShare({ expectedWrong: 80, foundWrong: 50, untouched: 140 })).toBeCloseTo(1 - 30 / 140, 10);
  });

  it('is 1 when the user found more than the run expected, and 0 when more are expected wrong than are left', () => {
    expect(expectedRightShare({ expectedWrong: 10, foundWrong: 25, untouched: 100 })).toBe(1);
    expect(expectedRightShare({ expectedWrong: 90, foundWrong: 0, untouched: 60 })).toBe(0);
  });

  it('is unknown with nothing left alone or counts that are not counts', () => {
    expect(expectedRightShare({ expectedWrong: 10, foundWrong: 2, untouched: 0 })).toBeNull();
    expect(expectedRightShare({ expectedWrong: Number.NaN, foundWrong: 2, untouched: 5 })).toBeNull();
    expect(expectedRightShare({ expectedWrong: 10, foundWrong: -1, untouched: 5 })).toBeNull();
  });
});

describe('liftDoubt', () => {
  const confidence = Float32Array.from([0.4, 0.5, 0.6, 0.7, 0.9, 0.3]);
  const scored = [true, true, true, true, false, true];

  it('scales every scored photo\'s doubt by one factor so that their mean reaches the expected share', () => {
    const { confidence: lifted, doubtScale } = liftDoubt(confidence, scored, 0.8, 1);
    expect(mean(lifted, (i) => scored[i]!)).toBeCloseTo(0.8, 5);
    expect(doubtScale).toBeCloseTo(0.2 / (1 - mean(confidence, (i) => scored[i]!)), 5);
    for (let i = 0; i < confidence.length; i++) if (scored[i]) expect(1 - lifted[i]!).toBeCloseTo((1 - confidence[i]!) * doubtScale, 5);
    // The order of the photos (what Review shows first) is kept, and an unscored photo is left as it was.
    expect([0, 1, 2, 3, 5].sort((a, b) => lifted[a]! - lifted[b]!)).toEqual([5, 0, 1, 2, 3]);
    expect(lifted[4]).toBe(confidence[4]);
  });

  it('never shows a photo above the ceiling', () => {
    const { confidence: lifted } = liftDoubt(confidence, scored, 0.95, 0.9);
    expect(Math.max(...lifted)).toBeLessThanOrEqual(0.9 + 1e-6);
    expect(lifted[3]).toBeCloseTo(0.9, 6);
  });

  it('never lowers: where the curve already shows as much, or the share is unknown, nothing changes', () => {
    for (const expected of [0.5, 0.3, null]) {
      const out = liftDoubt(confidence, scored, expected);
      expect(out.doubtScale).toBe(1);
      expect(out.confidence).toBe(confidence);
    }
  });

  it('refuses flags that do not match the photos', () => {
    expect(() => liftDoubt(confidence, [true], 0.8)).toThrow(/1 flags for 6 photos/);
  });
});

describe('scaleDoubt', () => {
  it('applies a saved factor to photos placed later, capped, and leaves them as they are for a factor of 1', () => {
    const c = Float32Array.from([0.2, 0.6, 0.95]);
    const out = scaleDoubt(c, 0.5, 0.97);
    expect(Array.from(out)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), expect.closeTo(0.97, 6)]);
    expect(scaleDoubt(c, 1)).toBe(c);
  });
});
