import { munkres } from 'munkres';

/**
 * External clustering metrics for benchmarks, matching scikit-learn / SciPy (fixtures in ./fixtures are produced
 * by ./fixtures/make_fixtures.py with Debian's python3-sklearn). Labels are only ever used for scoring.
 */

export interface Contingency {
  /** table[i][j] = number of items of class i in cluster j (classes and clusters in sorted id order). */
  table: number[][];
  classes: number[];
  clusters: number[];
  n: number;
}

export function contingency(labels: ArrayLike<number>, clusters: ArrayLike<number>): Contingency {
  if (labels.length !== clusters.length) throw new Error(`labels (${labels.length}) and clusters (${clusters.length}) differ in length`);
  const classIds = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const clusterIds = [...new Set(Array.from(clusters))].sort((a, b) => a - b);
  const ci = new Map(classIds.map((c, i) => [c, i]));
  const kj = new Map(clusterIds.map((c, j) => [c, j]));
  const table = classIds.map(() => new Array<number>(clusterIds.length).fill(0));
  for (let t = 0; t < labels.length; t++) table[ci.get(labels[t]!)!]![kj.get(clusters[t]!)!]! += 1;
  return { table, classes: classIds, clusters: clusterIds, n: labels.length };
}

/**
 * Clustering accuracy: the best one-to-one map of clusters to classes (Hungarian algorithm on the contingency table
 * padded to a square with zeros), as a share of all items. Extra clusters or classes match nothing.
 */
export function clusteringAccuracy(labels: ArrayLike<number>, clusters: ArrayLike<number>): number {
  const { table, n } = contingency(labels, clusters);
  if (n === 0) return 0;
  const size = Math.max(table.length, table[0]?.length ?? 0);
  let max = 0;
  for (const row of table) for (const v of row) max = Math.max(max, v);
  const cost = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => max - (table[i]?.[j] ?? 0)));
  let matched = 0;
  for (const [i, j] of munkres(cost)) matched += table[i]?.[j] ?? 0;
  return matched / n;
}

function entropyOf(counts: number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * (Math.log(c) - Math.log(n));
  return h;
}

/** Mutual information I(Y; C) in nats. */
export function mutualInformation(labels: ArrayLike<number>, clusters: ArrayLike<number>): number {
  const { table, n } = contingency(labels, clusters);
  const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = (table[0] ?? []).map((_, j) => table.reduce((a, r) => a + r[j]!, 0));
  let mi = 0;
  for (let i = 0; i < table.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      const nij = table[i]![j]!;
      if (nij > 0) mi += (nij / n) * (Math.log(nij) + Math.log(n) - Math.log(rows[i]!) - Math.log(cols[j]!));
    }
  }
  return Math.max(0, mi);
}

/**
 * Normalised mutual information, I(Y;C) / mean(H(Y), H(C)). 'arithmetic' is scikit-learn's default since 0.22;
 * 'geometric' (I/√(H(Y)H(C))) is what older clustering papers most likely reported. Same limit cases as sklearn.
 */
export function normalizedMutualInfo(labels: ArrayLike<number>, clusters: ArrayLike<number>, average: 'arithmetic' | 'geometric' = 'arithmetic'): number {
  const c = contingency(labels, clusters);
  if ((c.classes.length === 1 && c.clusters.length === 1) || c.n === 0) return 1;
  const mi = mutualInformation(labels, clusters);
  if (mi === 0) return 0;
  const rows = c.table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = c.clusters.map((_, j) => c.table.reduce((a, r) => a + r[j]!, 0));
  const hy = entropyOf(rows, c.n);
  const hc = entropyOf(cols, c.n);
  const norm = average === 'arithmetic' ? (hy + hc) / 2 : Math.sqrt(hy * hc);
  return mi / Math.max(norm, Number.EPSILON);
}

/** Hubert–Arabie adjusted Rand index (sklearn.metrics.adjusted_rand_score); exact integer pair counts via BigInt. */
export function adjustedRandIndex(labels: ArrayLike<number>, clusters: ArrayLike<number>): number {
  const { table, n } = contingency(labels, clusters);
  const N = BigInt(n);
  const rows = table.map((r) => BigInt(r.reduce((a, b) => a + b, 0)));
  const cols = (table[0] ?? []).map((_, j) => BigInt(table.reduce((a, r) => a + r[j]!, 0)));
  let sumSquares = 0n;
  let rowDot = 0n;
  let colDot = 0n;
  table.forEach((r, i) =>
    r.forEach((v, j) => {
      const b = BigInt(v);
      sumSquares += b * b;
      rowDot += b * cols[j]!;
      colDot += b * rows[i]!;
    }),
  );
  // sklearn.metrics.cluster.pair_confusion_matrix
  const tp = sumSquares - N;
  const fp = rowDot - sumSquares;
  const fn = colDot - sumSquares;
  const tn = N * N - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return Number(num) / Number(den);
}

export interface BCubed {
  precision: number;
  recall: number;
  f: number;
}

function bcubedF(precision: number, recall: number): BCubed {
  return { precision, recall, f: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** BCubed precision/recall/F of a partition against classes (item-averaged). */
export function bcubed(labels: ArrayLike<number>, clusters: ArrayLike<number>): BCubed {
  const { table, n } = contingency(labels, clusters);
  if (n === 0) return { precision: 0, recall: 0, f: 0 };
  const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = (table[0] ?? []).map((_, j) => table.reduce((a, r) => a + r[j]!, 0));
  let p = 0;
  let r = 0;
  table.forEach((row, i) =>
    row.forEach((v, j) => {
      p += (v * v) / cols[j]!;
      r += (v * v) / rows[i]!;
    }),
  );
  return bcubedF(p / n, r / n);
}

/**
 * BCubed of a graph (DCCM's pseudo-graph, the paper's progress figure): item i's "cluster" is itself plus its
 * neighbours. `neighbours(i)` lists j ≠ i with W_ij = 1.
 */
export function bcubedGraph(labels: ArrayLike<number>, neighbours: (i: number) => Iterable<number>): BCubed {
  const n = labels.length;
  if (n === 0) return { precision: 0, recall: 0, f: 0 };
  const classSize = new Map<number, number>();
  for (let i = 0; i < n; i++) classSize.set(labels[i]!, (classSize.get(labels[i]!) ?? 0) + 1);
  let p = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    let size = 1;
    let same = 1;
    for (const j of neighbours(i)) {
      if (j === i) continue;
      size++;
      if (labels[j] === labels[i]) same++;
    }
    p += same / size;
    r += same / classSize.get(labels[i]!)!;
  }
  return bcubedF(p / n, r / n);
}

export interface ClusteringScores {
  acc: number;
  nmi: number;
  nmiGeometric: number;
  ari: number;
}

/** ACC, NMI (arithmetic and geometric) and ARI together. */
export function scoreClustering(labels: ArrayLike<number>, clusters: ArrayLike<number>): ClusteringScores {
  return {
    acc: clusteringAccuracy(labels, clusters),
    nmi: normalizedMutualInfo(labels, clusters, 'arithmetic'),
    nmiGeometric: normalizedMutualInfo(labels, clusters, 'geometric'),
    ari: adjustedRandIndex(labels, clusters),
  };
}
