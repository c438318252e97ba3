/**
 * Does "N % sure" mean N %? A photo's shown confidence is a claim that the photo belongs with its group, scored
 * against the labels (benchmarks only) as: the photo's class is its group's majority class. Expected calibration
 * error (ECE) is the photo-weighted mean gap between claimed and observed in equal-width confidence bins.
 */

/** 1 where the photo's label is the most frequent label in its cluster (ties: the smallest label), else 0. */
export function inMajorityClass(labels: ArrayLike<number>, clusters: ArrayLike<number>): Uint8Array {
  const n = labels.length;
  if (clusters.length !== n) throw new Error(`${n} labels for ${clusters.length} cluster assignments`);
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    let row = counts.get(clusters[i]!);
    if (!row) counts.set(clusters[i]!, (row = new Map()));
    row.set(labels[i]!, (row.get(labels[i]!) ?? 0) + 1);
  }
  const majority = new Map<number, number>();
  for (const [c, row] of counts) {
    let best = -1;
    let bestCount = -1;
    for (const [label, count] of [...row].sort((a, b) => a[0] - b[0])) {
      if (count > bestCount) {
        best = label;
        bestCount = count;
      }
    }
    majority.set(c, best);
  }
  return Uint8Array.from({ length: n }, (_, i) => (labels[i] === majority.get(clusters[i]!) ? 1 : 0));
}

export interface ReliabilityBin {
  /** Bin (lo, hi]; the first bin also holds 0. */
  lo: number;
  hi: number;
  photos: number;
  meanConfidence: number;
  /** Share of the bin's photos that are in their group's majority class. */
  observed: number;
}

export interface Calibration {
  /** Expected calibration error: Σ_bins (photos/n)·|meanConfidence − observed|. */
  ece: number;
  /** The largest gap in a bin holding at least 2 % of the photos. */
  maxGap: number;
  meanConfidence: number;
  /** Share of all photos in their group's majority class (what the mean confidence should be). */
  observed: number;
  bins: ReliabilityBin[];
}

/** Calibration of `confidence` (each in [0, 1]) against `correct` (0/1), in `bins` equal-width bins. */
export function calibration(confidence: ArrayLike<number>, correct: ArrayLike<number>, bins = 10): Calibration {
  const n = confidence.length;
  if (correct.length !== n) throw new Error(`${n} confidences for ${correct.length} outcomes`);
  if (n === 0) throw new Error('calibration needs at least one photo');
  const sumConf = new Float64Array(bins);
  const sumOk = new Float64Array(bins);
  const count = new Float64Array(bins);
  let totalConf = 0;
  let totalOk = 0;
  for (let i = 0; i < n; i++) {
    const p = confidence[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`confidence ${p} of photo ${i} is outside [0, 1]`);
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    sumConf[b]! += p;
    sumOk[b]! += correct[i]!;
    count[b]! += 1;
    totalConf += p;
    totalOk += correct[i]!;
  }
  let ece = 0;
  let maxGap = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    const meanConfidence = c ? sumConf[b]! / c : 0;
    const observed = c ? sumOk[b]! / c : 0;
    const gap = Math.abs(meanConfidence - observed);
    ece += (c / n) * gap;
    if (c >= 0.02 * n) maxGap = Math.max(maxGap, gap);
    out.push({ lo: b / bins, hi: (b + 1) / bins, photos: c, meanConfidence, observed });
  }
  return { ece, maxGap, meanConfidence: totalConf / n, observed: totalOk / n, bins: out };
}
