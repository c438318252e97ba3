/**
 * How sure the app is that a photo belongs with its group, as a probability that means what it says: among photos
 * shown as p sure, about p should be of the kind that makes up most of their group.
 *
 * A softmax maximum does not say that: a head trained to be confident is confident about its mistakes too (on real
 * photos, photos shown ≥ 99 % sure were in their group's majority class 60 % of the time). What does carry the
 * information, without labels, is (1) whether the photo's look-alikes agree: the share of its nearest neighbours
 * (cosine, in the backbone's embedding) placed in the same group, and (2) whether k-means started afresh keeps the
 * photo with its group: the share of its group-mates that land in its cluster, over independent k-means starts.
 * Look-alikes alone cannot tell how clean a whole folder is (photos whose look-alikes all agree were right 39–97 % of
 * the time depending on the folder); the starts can, because where kinds overlap they cut the groups differently
 * each time. `calibrate` maps the two to a probability with a fixed curve measured on
 * labelled real and CIFAR photos (bench/finetune.ts reports the calibration error).
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
 * Share of each photo's group-mates that share its cluster in each of several other partitions of the same photos
 * (`starts`, e.g. the starts of a k-means run), averaged over the partitions. `neighbourGroups` / `neighbourStarts`
 * give the photos the group-mates are counted among when they are other photos than the ones scored (new photos
 * against the library: a new photo's group-mates are the library's photos of the group it was placed in); by
 * default the scored photos themselves, each leaving itself out. A photo without group-mates scores 0.
 */
export function startAgreement(
  partition: ArrayLike<number>,
  starts: readonly ArrayLike<number>[],
  opts: { neighbourGroups?: ArrayLike<number>; neighbourStarts?: readonly ArrayLike<number>[] } = {},
): Float32Array {
  const n = partition.length;
  const self = opts.neighbourGroups === undefined;
  const groups = opts.neighbourGroups ?? partition;
  const others = opts.neighbourStarts ?? starts;
  if (starts.length === 0) throw new Error('start agreement needs at least one partition');
  if (others.length !== starts.length) throw new Error(`${starts.length} partitions of the photos but ${others.length} of their group-mates`);
  const out = new Float32Array(n);
  const size = new Map<number, number>();
  for (let j = 0; j < groups.length; j++) size.set(groups[j]!, (size.get(groups[j]!) ?? 0) + 1);
  for (let m = 0; m < starts.length; m++) {
    const mine = starts[m]!;
    const theirs = others[m]!;
    if (mine.length !== n || theirs.length !== groups.length) throw new Error(`partition ${m} covers ${mine.length} / ${theirs.length} photos, expected ${n} / ${groups.length}`);
    // Group-mates per (group, cluster) of this partition.
    const together = new Map<string, number>();
    for (let j = 0; j < groups.length; j++) {
      const key = `${groups[j]}:${theirs[j]}`;
      together.set(key, (together.get(key) ?? 0) + 1);
    }
    for (let i = 0; i < n; i++) {
      const mates = (size.get(partition[i]!) ?? 0) - (self ? 1 : 0);
      if (mates <= 0) continue;
      out[i]! += ((together.get(`${partition[i]}:${mine[i]}`) ?? 0) - (self ? 1 : 0)) / mates;
    }
  }
  for (let i = 0; i < n; i++) out[i]! /= starts.length;
  return out;
}

/**
 * The k-means starts that may vouch for `partition`: all but those that are `partition` itself. Shipped k-means groups
 * are the best start's, and that start agreeing with itself says nothing about a photo (it only lifted every photo's
 * start agreement by about a tenth of its doubt).
 */
export function otherStarts<T extends ArrayLike<number>>(starts: readonly T[], partition: ArrayLike<number>): T[] {
  const others = starts.filter((start) => start.length !== partition.length || Array.prototype.some.call(start, (c: number, i: number) => c !== partition[i]));
  return others.length > 0 ? others : [...starts];
}

/**
 * The calibration curve: agreement a ∈ [0, 1] (and start agreement s ∈ [0, 1] where `startPower` is set) →
 * probability, `floor + (ceiling − floor) · a^power · s^startPower`. A photo whose look-alikes all lie elsewhere is
 * not impossible to be right (floor); one whose look-alikes all agree is still wrong now and then (ceiling).
 */
export interface CalibrationCurve {
  floor: number;
  ceiling: number;
  power: number;
  /** The curve reads start agreement too (startAgreement), at this power. */
  startPower?: number;
}

/**
 * Fitted on the bench's dumps (`npm run bench -- finetune --dump DIR` writes each run's groups, both signals as the
 * app computed them, and the photos' features; then the smallest worst-case calibration error over a floor × ceiling
 * × power × start-power grid) on 12 folders, three seeds each: CIFAR-10 200 / 400 / 1,000 photos and the clothing
 * photos 200 / 400 / 1,341 (10 kinds), and six folders of 3–5 kinds, 40 photos per kind (files 41–80 of each class:
 * pants / shoes / coats; shirts / T-shirts / long sleeves / coats; hats / skirts / shorts / shoes / T-shirts; CIFAR
 * ship / cat / car; deer / horse / dog / cat; plane / frog / truck / bird / ship). Worst error 0.155 over those 36
 * runs, mean 0.089; with look-alikes alone the best curve reached 0.192 / 0.102, and the previous curve (0.3 / 0.8 /
 * 3.5) 0.256 / 0.108 — on the 3-kind folders it showed 57–74 % sure where 77–94 % were right. Checked on 8 folders of
 * 3–6 kinds it never saw (the last files of each class): worst 0.175, mean 0.099 (previous curve 0.240 / 0.140);
 * 10,000 CIFAR-10 photos 0.060 / 0.043 / 0.042.
 * The ceiling is below 1 so that no photo is ever shown as certain (the fit's best ceiling was 1: 0.146 offline).
 */
export const CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.2, ceiling: 0.98, power: 1, startPower: 0.75 };

/**
 * The curve for groups refined around photos placed by hand (guidedPartition.ts). Those groups follow the user where
 * the backbone's look-alikes disagree, so look-alikes agree less for the same purity and the general curve reads them
 * as too doubtful. Fitted like CONFIDENCE_CURVE, on the bench's simulated users (`npm run bench -- finetune
 * --corrections 2,5,10 --dump DIR` on clothing and 1,000 CIFAR-10 photos, `--corrections 5` on 200 and 400 of each,
 * three seeds each; the photos the user placed are left out, as they show no doubt): worst error 0.116 over 28 runs,
 * mean 0.068 (the previous 0.1 / 0.99 / 1.25 with 20 neighbours: 0.304 on 200 clothing photos).
 * Agreement cannot see how much purer the user's corrections made the groups as a whole (runs with the same mean
 * agreement were right 0.68 and 0.78 of the time), which is what keeps the worst case above 0.10; the corrections
 * themselves can, and lift what this curve shows where they say more (correctedDoubt.ts).
 */
export const GUIDED_CONFIDENCE_CURVE: CalibrationCurve = { floor: 0.4, ceiling: 0.96, power: 3 };

/** The curve for a run's groups: GUIDED_CONFIDENCE_CURVE when they were refined around photos placed by hand. */
export function confidenceCurve(refinedByUser: boolean): CalibrationCurve {
  return refinedByUser ? GUIDED_CONFIDENCE_CURVE : CONFIDENCE_CURVE;
}

/** `v` held to 0..1. */
export const unitClamp = (v: number) => Math.min(1, Math.max(0, v));

/** The curve at every photo; `starts` (start agreement) is required when the curve reads it. */
export function calibrate(agreement: Float32Array, curve: CalibrationCurve = CONFIDENCE_CURVE, starts?: Float32Array): Float32Array {
  const startPower = curve.startPower;
  if (startPower !== undefined && starts?.length !== agreement.length) throw new Error(`this curve reads start agreement: ${starts?.length ?? 'none'} given for ${agreement.length} photos`);
  return Float32Array.from(agreement, (a, i) => curve.floor + (curve.ceiling - curve.floor) * Math.pow(unitClamp(a), curve.power) * (startPower === undefined ? 1 : Math.pow(unitClamp(starts![i]!), startPower)));
}

/** What a photo's confidence is read from: look-alike agreement, and start agreement where k-means starts were given. */
export interface ConfidenceSignals {
  agreement: Float32Array;
  startAgreement?: Float32Array;
}

type SignalOptions = ConfidenceOptions & { neighbourGroups?: ArrayLike<number>; starts?: readonly ArrayLike<number>[]; neighbourStarts?: readonly ArrayLike<number>[] };

/**
 * The signals of every photo in `partition` (see neighbourAgreement for `neighbourGroups`). `starts` are the photos'
 * clusters in each k-means start (and `neighbourStarts` those of the neighbours' photos, when they are other photos).
 */
export function confidenceSignals(partition: ArrayLike<number>, opts: SignalOptions): ConfidenceSignals {
  const agreement = neighbourAgreement(partition, opts);
  if (!opts.starts) return { agreement };
  return { agreement, startAgreement: startAgreement(partition, opts.starts, opts) };
}

/** Calibrated confidence of every photo in `partition` (see confidenceSignals); `starts` are required where the curve reads them. */
export function groupConfidence(partition: ArrayLike<number>, opts: SignalOptions & { curve?: CalibrationCurve }): Float32Array {
  const curve = opts.curve ?? CONFIDENCE_CURVE;
  if (curve.startPower !== undefined && !opts.starts) throw new Error('this curve reads how k-means starts group the photos: pass their partitions');
  const signals = confidenceSignals(partition, opts);
  return calibrate(signals.agreement, curve, signals.startAgreement);
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
