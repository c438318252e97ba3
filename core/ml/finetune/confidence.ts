/**
 * How sure the app is that a photo belongs with its group, as a probability that means what it says: among photos
 * shown as p sure, about p should be of the kind that makes up most of their group.
 *
 * A softmax maximum does not say that: a head trained to be confident is confident about its mistakes too (on real
 * photos, photos shown ≥ 99 % sure were in their group's majority class 60 % of the time). What does carry the
 * information, without labels, is whether the photo's look-alikes agree: the share of its nearest neighbours (cosine,
 * in the backbone's embedding) placed in the same group. Neighbourhoods also contain photos of other kinds, so that
 * share overstates the chance; `calibrate` maps it to a probability with a fixed curve measured on labelled real and
 * CIFAR photos (bench/finetune.ts reports the calibration error on both).
 */

export interface ConfidenceOptions {
  /** Nearest neighbours per photo (row-major n × k indices into the photos). */
  neighbours: Int32Array;
  k: number;
}

/**
 * Share of each photo's nearest neighbours that are in its group. `neighbourGroups` gives the neighbours' groups when
 * they are other photos than the ones scored (new photos against the library); by default the same partition.
 */
export function neighbourAgreement(partition: ArrayLike<number>, opts: ConfidenceOptions & { neighbourGroups?: ArrayLike<number> }): Float32Array {
  const n = partition.length;
  const { neighbours, k } = opts;
  const groups = opts.neighbourGroups ?? partition;
  if (neighbours.length !== n * k) throw new Error(`neighbour table has ${neighbours.length} entries for ${n} photos × ${k}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let same = 0;
    for (let j = 0; j < k; j++) if (groups[neighbours[i * k + j]!] === partition[i]) same++;
    out[i] = same / k;
  }
  return out;
}

/**
 * The calibration curve: agreement a ∈ [0, 1] → probability, `floor + (ceiling − floor) · a^power`. A photo whose
 * look-alikes all lie elsewhere is not impossible to be right (floor); one whose look-alikes all agree is still wrong
 * now and then (ceiling).
 */
export interface CalibrationCurve {
  floor: number;
  ceiling: number;
  power: number;
}

/**
 * Fitted on the bench's label dumps (`npm run bench -- finetune --dump DIR`, then the smallest worst-case calibration
 * error over a floor × ceiling × power grid): CIFAR-10 1,000 and 10,000 photos and the 1,341 clothing photos, three
 * seeds each, MobileNetV2 at 224 px. Worst error 0.071 over those nine runs (the previous 0.05 / 0.95 / 1.5 curve:
 * 0.154 on 10,000 CIFAR photos, whose denser neighbourhoods agree more for the same purity). The ceiling stays below
 * 1: even photos whose look-alikes all agree are in their group's majority class about 9 times in 10.
 */
export const CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.225, ceiling: 0.9, power: 3.25 };

/**
 * The curve for groups refined around photos the user placed by hand (guidedPartition.ts). Those groups follow the
 * user where the backbone's look-alikes disagree, so look-alikes agree less for the same purity and the general
 * curve reads them as too doubtful (clothing photos, 5 corrections per group: shown 0.52 on average, right 0.72 of
 * the time; calibration error 0.17–0.22). Fitted like CONFIDENCE_CURVE, on the bench's simulated users
 * (`npm run bench -- finetune --corrections 2,5,10 --dump DIR`: clothing and 1,000 CIFAR-10 photos, three seeds
 * each, the photos the user placed left out as they show no doubt): worst error 0.104 over those 18 runs, mean
 * 0.074; 0.101 and 0.062 once PIN_SHARE capped the pins.
 * Agreement cannot see how much purer the user's corrections made the groups as a whole (runs with the same mean
 * agreement were right 0.68 and 0.78 of the time), which is what keeps the worst case near 0.10.
 */
export const GUIDED_CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.1, ceiling: 0.99, power: 1.25 };

/** The curve for a run's groups: GUIDED_CONFIDENCE_CURVE when they were refined around photos placed by hand. */
export function confidenceCurve(refinedByUser: boolean): CalibrationCurve {
  return refinedByUser ? GUIDED_CONFIDENCE_CURVE : CONFIDENCE_CURVE;
}

export function calibrate(agreement: Float32Array, curve: CalibrationCurve = CONFIDENCE_CURVE): Float32Array {
  return Float32Array.from(agreement, (a) => curve.floor + (curve.ceiling - curve.floor) * Math.pow(Math.min(1, Math.max(0, a)), curve.power));
}

/** Calibrated confidence of every photo in `partition` (see neighbourAgreement for `neighbourGroups`). */
export function groupConfidence(partition: ArrayLike<number>, opts: ConfidenceOptions & { neighbourGroups?: ArrayLike<number>; curve?: CalibrationCurve }): Float32Array {
  return calibrate(neighbourAgreement(partition, opts), opts.curve);
}

/** Neighbours per photo behind its confidence (bench/finetune.ts measures the calibration with this many). */
export const CONFIDENCE_NEIGHBOURS = 20;
