import { describe, expect, it } from 'vitest';
import { correctionEvidence, expectedRightShare, isCorrectionEvidence, liftDoubt, REVIEW_PRIOR, scaleDoubt, type CorrectionEvidence } from './correctedDoubt.js';

const mean = (xs: ArrayLike<number>, keep: (i: number) => boolean = () => true) => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (keep(i)) (s += xs[i]!), n++;
  return s / n;
};

describe('correctionEvidence', () => {
  it('adds up the doubt of the photos left alone and of those the user decided on, and counts each kind', () => {
    const e = correctionEvidence([
      { confidence: 0.9, handled: 'untouched' },
      { confidence: 0.4, handled: 'found-wrong' },
      { confidence: 0.7, handled: 'kept' },
      { confidence: 0.5, handled: 'untouched' },
    ]);
    expect(e).toEqual({ untouched: 2, untouchedDoubt: expect.closeTo(0.6, 6), foundWrong: 1, kept: 1, decidedDoubt: expect.closeTo(0.9, 6) });
  });

  it('reads confidences outside 0..1 at the bound and skips ones that are not numbers', () => {
    const e = correctionEvidence([
      { confidence: 1.2, handled: 'untouched' },
      { confidence: -0.5, handled: 'untouched' },
      { confidence: Number.NaN, handled: 'found-wrong' },
    ]);
    expect(e).toEqual({ untouched: 2, untouchedDoubt: 1, foundWrong: 0, kept: 0, decidedDoubt: 0 });
  });
});

const evidence = (e: Partial<CorrectionEvidence>): CorrectionEvidence => ({ untouched: 0, untouchedDoubt: 0, foundWrong: 0, kept: 0, decidedDoubt: 0, ...e });

describe('expectedRightShare', () => {
  it('for a user who only moved photos: the mistakes expected in all, less those found, spread over the photos left alone', () => {
    // 200 photos, 80 mistakes expected (60 among the 140 left alone), 60 photos moved: 20 left among 140.
    expect(expectedRightShare(evidence({ untouched: 140, untouchedDoubt: 60, foundWrong: 60, decidedDoubt: 20 }))).toBeCloseTo(1 - 20 / 140, 10);
  });

  it('for a user who also kept photos: fewer found than expected among those decided on shrinks the rest\'s doubt alike', () => {
    // 30 looked at, 12 mistakes expected among them, 3 found: (3 + 9) / (12 + 9) of the 40 expected among the 100 left.
    const e = evidence({ untouched: 100, untouchedDoubt: 40, foundWrong: 3, kept: 27, decidedDoubt: 12 });
    expect(expectedRightShare(e)).toBeCloseTo(1 - ((3 + REVIEW_PRIOR) / (12 + REVIEW_PRIOR)) * 0.4, 10);
    // As many found as expected: the grouping's word stands (what is left over, 1 − 40 / 100, is the same).
    expect(expectedRightShare({ ...e, foundWrong: 12, kept: 18 })).toBeCloseTo(0.6, 10);
    // More found than expected never makes the rest less sure than what is left over says.
    expect(expectedRightShare({ ...e, foundWrong: 20, kept: 10 })).toBeCloseTo(1 - (40 + 12 - 20) / 100, 10);
  });

  it('lets a few keeps say little: three kept photos do not make a folder sure', () => {
    const share = expectedRightShare(evidence({ untouched: 100, untouchedDoubt: 40, kept: 3, decidedDoubt: 1.8 }))!;
    // What is left over says 1 − 41.8 / 100; three right where 1.8 mistakes were expected lift that by a few points.
    expect(share).toBeGreaterThan(0.6);
    expect(share).toBeLessThan(0.7);
  });

  it('is 1 when the user found more than the grouping expected, and 0 when more are expected wrong than are left', () => {
    expect(expectedRightShare(evidence({ untouched: 100, untouchedDoubt: 5, foundWrong: 25, decidedDoubt: 5 }))).toBe(1);
    expect(expectedRightShare(evidence({ untouched: 60, untouchedDoubt: 90 }))).toBe(0);
  });

  it('is unknown with nothing left alone or counts that are not counts', () => {
    expect(expectedRightShare(evidence({ untouched: 0, foundWrong: 2, decidedDoubt: 1 }))).toBeNull();
    expect(expectedRightShare(evidence({ untouched: 5, untouchedDoubt: Number.NaN }))).toBeNull();
    expect(expectedRightShare(evidence({ untouched: 5, foundWrong: -1 }))).toBeNull();
    expect(isCorrectionEvidence({ untouched: 5, untouchedDoubt: 1, foundWrong: 0, kept: 0 })).toBe(false);
    expect(isCorrectionEvidence(null)).toBe(false);
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
