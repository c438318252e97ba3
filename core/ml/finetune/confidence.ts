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
 * error over a floor × ceiling × power grid, with agreement over confidenceNeighbours()): CIFAR-10 1,000 and 10,000
 * photos, the 1,341 clothing photos, and 200 and 400 of each (first files per class), three seeds each, MobileNetV2 at
 * 224 px. Worst error 0.120 over those 19 runs, mean 0.076. The previous curve (0.225 / 0.9 / 3.25, 20 neighbours
 * everywhere) was fitted on the large folders alone: 0.063–0.079 there, but 0.14–0.24 on 200 and 400 clothing
 * photos, which it showed as 0.33 sure on average while 0.55 were right. The ceiling stays well below 1: even photos
 * whose look-alikes all agree are in their group's majority class only about 8 times in 10 on small folders.
 */
export const CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.3, ceiling: 0.8, power: 3.5 };

/**
 * The curve for groups refined around photos placed by hand (guidedPartition.ts). Those groups follow the user where
 * the backbone's look-alikes disagree, so look-alikes agree less for the same purity and the general curve reads them
 * as too doubtful. Fitted like CONFIDENCE_CURVE, on the bench's simulated users (`npm run bench -- finetune
 * --corrections 2,5,10 --dump DIR` on clothing and 1,000 CIFAR-10 photos, `--corrections 5` on 200 and 400 of each,
 * three seeds each; the photos the user placed are left out, as they show no doubt): worst error 0.116 over 28 runs,
 * mean 0.068 (the previous 0.1 / 0.99 / 1.25 with 20 neighbours: 0.304 on 200 clothing photos).
 * Agreement cannot see how much purer the user's corrections made the groups as a whole (runs with the same mean
 * agreement were right 0.68 and 0.78 of the time), which is what keeps the worst case above 0.10.
 */
export const GUIDED_CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.4, ceiling: 0.96, power: 3 };

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

/** The most neighbours per photo behind its confidence (and the size of the neighbour table a run searches). */
export const CONFIDENCE_NEIGHBOURS = 20;

/**
 * Neighbours per photo behind its confidence: a fifth of the average group, 5 to CONFIDENCE_NEIGHBOURS. In a folder
 * of 200 photos in 10 groups, 20 neighbours are a whole group's worth, so even a photo of a pure group has look-alikes
 * elsewhere and agreement says little (calibration error 0.14–0.24 there with 20; 0.04–0.12 with this rule). From
 * 100 photos per group on, it is 20 as before.
 */
export function confidenceNeighbours(photos: number, groups: number): number {
  return Math.min(CONFIDENCE_NEIGHBOURS, Math.max(5, Math.round((0.2 * photos) / Math.max(1, groups))));
}
