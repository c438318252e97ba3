/**
 * How sure to be of the photos the user left alone, after the user corrected the last grouping.
 *
 * The confidence curves read each photo's look-alikes (confidence.ts). After the user has moved many photos by hand,
 * that reading is too modest: it cannot see how much purer the corrections made the folder as a whole (bench, a
 * simulated user moving 10 photos per group of 200 clothing photos: shown 67 % sure, 95 % right). The last grouping's
 * own calibrated confidences can: their doubts add up to the number of wrongly placed photos it expected, and every
 * photo the user moved elsewhere (or marked "not this group") is one of them found. What is left of that number is
 * what the untouched photos still hold. A photo the user kept where it was found nothing wrong and says nothing here.
 *
 * The estimate only ever lifts: where the user kept more than they moved, or the curve already shows more, the
 * curve's reading stands.
 */
import { CONFIDENCE_CURVE } from './confidence.js';

/** What the user did, since the last grouping, with a photo that grouping placed. */
export type Handling = 'untouched' | 'kept' | 'found-wrong';

/** The last grouping's expected wrong photos, and what the user has found of them since. */
export interface CorrectionEvidence {
  /** Σ (1 − confidence) over the photos the last grouping placed: how many it expected to be in the wrong group. */
  expectedWrong: number;
  /** Of those photos, the ones the user since moved to another group or marked "not this group". */
  foundWrong: number;
  /** Of those photos, the ones the user has neither moved, kept, nor marked since. */
  untouched: number;
}

/** Adds up the evidence from the last grouping's photos: each one's confidence then, and what the user did since. */
export function correctionEvidence(photos: Iterable<{ confidence: number; handled: Handling }>): CorrectionEvidence {
  let expectedWrong = 0;
  let foundWrong = 0;
  let untouched = 0;
  for (const p of photos) {
    if (!Number.isFinite(p.confidence)) continue;
    expectedWrong += 1 - Math.min(1, Math.max(0, p.confidence));
    if (p.handled === 'found-wrong') foundWrong++;
    else if (p.handled === 'untouched') untouched++;
  }
  return { expectedWrong, foundWrong, untouched };
}

/** Share of the untouched photos expected to be right; null when nothing is left untouched or the evidence is malformed. */
export function expectedRightShare(e: CorrectionEvidence): number | null {
  const valid = [e.expectedWrong, e.foundWrong, e.untouched].every((v) => Number.isFinite(v) && v >= 0);
  if (!valid || e.untouched < 1) return null;
  return 1 - Math.min(1, Math.max(0, e.expectedWrong - e.foundWrong) / e.untouched);
}

/**
 * Scales the doubt (1 − confidence) of the `scored` photos by one factor so that their mean confidence reaches
 * `expectedRight`, never lowering a photo and never above `ceiling` (no photo is shown as certain). `doubtScale` is
 * the factor (1: unchanged), which photos placed later by the same model take too.
 */
export function liftDoubt(confidence: Float32Array, scored: ArrayLike<boolean>, expectedRight: number | null, ceiling = CONFIDENCE_CURVE.ceiling): { confidence: Float32Array; doubtScale: number } {
  if (scored.length !== confidence.length) throw new Error(`${scored.length} flags for ${confidence.length} photos`);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < confidence.length; i++) {
    if (!scored[i]) continue;
    sum += confidence[i]!;
    count++;
  }
  if (expectedRight === null || count === 0) return { confidence, doubtScale: 1 };
  const shown = sum / count;
  if (expectedRight <= shown || shown >= 1) return { confidence, doubtScale: 1 };
  const doubtScale = (1 - expectedRight) / (1 - shown);
  return { confidence: scaleDoubt(confidence, doubtScale, ceiling, scored), doubtScale };
}

/** Each photo's doubt times `doubtScale` (≤ 1), capped at `ceiling` and never below its confidence; only `scored` ones where given. */
export function scaleDoubt(confidence: Float32Array, doubtScale: number, ceiling = CONFIDENCE_CURVE.ceiling, scored?: ArrayLike<boolean>): Float32Array {
  if (!(doubtScale > 0 && doubtScale < 1)) return confidence;
  return Float32Array.from(confidence, (c, i) => (scored && !scored[i] ? c : Math.max(c, Math.min(ceiling, 1 - (1 - c) * doubtScale))));
}
