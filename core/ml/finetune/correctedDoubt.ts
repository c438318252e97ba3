/**
 * How sure to be of the photos the user left alone, after the user corrected the last grouping.
 *
 * The confidence curves read each photo's look-alikes (confidence.ts). After the user has moved many photos by hand,
 * that reading is too modest: it cannot see how much purer the corrections made the folder as a whole (bench, a
 * simulated user moving 10 photos per group of 200 clothing photos: shown 67 % sure, 94 % right). The last grouping's
 * own calibrated confidences can, in two ways:
 * - its doubts add up to the number of wrongly placed photos it expected, and every photo the user moved elsewhere
 *   (or marked "not this group") is one of them found; what is left of that number is what the untouched photos
 *   still hold (a user who goes looking for mistakes);
 * - among the photos the user looked at and decided on — moved, marked or kept where they were — fewer found wrong
 *   than their doubts added up to says the grouping was too doubtful on this folder, and the untouched photos' doubts
 *   shrink by the same ratio (a user who goes through Review, and keeps as well as moves). A few looks say little,
 *   so the ratio starts from the grouping's own word, worth REVIEW_PRIOR mistakes.
 * The larger of the two is taken, and it only ever lifts: where the curve already shows more, its reading stands.
 */
import { CONFIDENCE_CURVE, unitClamp } from './confidence.js';

/** What the user did, since the last grouping, with a photo that grouping placed. */
export type Handling = 'untouched' | 'kept' | 'found-wrong';

/** The last grouping's doubts, and what the user has found since. */
export interface CorrectionEvidence {
  /** Photos the last grouping placed that the user has neither moved, kept, nor marked since. */
  untouched: number;
  /** Σ (1 − confidence) over those: how many of them the grouping expected to be in the wrong group. */
  untouchedDoubt: number;
  /** Photos it placed that the user since moved to another group or marked "not this group". */
  foundWrong: number;
  /** Photos it placed that the user since kept where they were. */
  kept: number;
  /** Σ (1 − confidence) over the photos found wrong or kept: the mistakes the grouping expected among them. */
  decidedDoubt: number;
}

/**
 * How many expected mistakes the grouping's own word is worth when the photos the user decided on say otherwise: the
 * shape of a gamma prior on the ratio of mistakes made to mistakes expected. Over the bench's 27 first groupings (nine
 * folders, three seeds) that ratio was 0.86 on average with a spread of a third of it (0.13 on three clean clothing
 * kinds to 1.13 on CIFAR-10), which a shape of 9 has. Measured offline on the bench's dumps of simulated Review users
 * (`--review 25,50,100`, five orders; 405 runs): calibration error 0.094 → 0.091 on average, lower in 75 runs, higher
 * in one (by 0.007); a weaker prior (2) gained more on average (0.086) but let three kept photos lift a whole folder.
 * In the app's own path (two orders, 162 runs): 0.095 → 0.092, higher in none.
 */
export const REVIEW_PRIOR = 9;

/** Adds up the evidence from the last grouping's photos: each one's confidence then, and what the user did since. */
export function correctionEvidence(photos: Iterable<{ confidence: number; handled: Handling }>): CorrectionEvidence {
  const e: CorrectionEvidence = { untouched: 0, untouchedDoubt: 0, foundWrong: 0, kept: 0, decidedDoubt: 0 };
  for (const p of photos) {
    if (!Number.isFinite(p.confidence)) continue;
    const doubt = 1 - unitClamp(p.confidence);
    if (p.handled === 'untouched') {
      e.untouched++;
      e.untouchedDoubt += doubt;
      continue;
    }
    if (p.handled === 'found-wrong') e.foundWrong++;
    else e.kept++;
    e.decidedDoubt += doubt;
  }
  return e;
}

const EVIDENCE_FIELDS = ['untouched', 'untouchedDoubt', 'foundWrong', 'kept', 'decidedDoubt'] as const satisfies ReadonlyArray<keyof CorrectionEvidence>;

/** The evidence's five numbers, when they are all counts from 0. */
export function isCorrectionEvidence(e: unknown): e is CorrectionEvidence {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return EVIDENCE_FIELDS.every((f) => typeof r[f] === 'number' && Number.isFinite(r[f]) && (r[f] as number) >= 0);
}

/** The five numbers alone, without whatever else was sent with them. */
export function evidenceCounts(e: CorrectionEvidence): CorrectionEvidence {
  return Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, e[f]])) as unknown as CorrectionEvidence;
}

/** Share of the untouched photos expected to be right; null when nothing is left untouched or the evidence is malformed. */
export function expectedRightShare(e: CorrectionEvidence): number | null {
  if (!isCorrectionEvidence(e) || e.untouched < 1) return null;
  // The mistakes expected in all, less those found, are what the untouched photos still hold.
  const leftOver = 1 - unitClamp((e.untouchedDoubt + e.decidedDoubt - e.foundWrong) / e.untouched);
  if (e.kept === 0) return leftOver;
  // Fewer found than expected among the photos decided on: the untouched ones' doubt shrinks alike (never grows).
  const ratio = Math.min(1, (e.foundWrong + REVIEW_PRIOR) / (e.decidedDoubt + REVIEW_PRIOR));
  return Math.max(leftOver, 1 - unitClamp((ratio * e.untouchedDoubt) / e.untouched));
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
