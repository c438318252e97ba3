import { tf } from '../runtime/tf.js';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '../runtime/tf.js';
import type { Rng } from '../rng.js';

/**
 * DCCM's losses (Wu et al., ICCV 2019), as restated in docs/DCCM.md:
 *   L = (L_PG + α·L_PL) + (L'_PG + α·L'_PL) + β·L_MI
 * Targets (the pseudo-graph W, pseudo-labels y and the confidence mask) come from an un-augmented, gradient-free
 * pass and are plain host arrays (`TargetTable`); the losses compare the current predictions against them.
 */

export interface DccmLossWeights {
  /** α: weight of the pseudo-label term (paper: 5). */
  alpha: number;
  /** β: weight of the mutual-information term (paper: 0.1; reference code 0.05). */
  beta: number;
}

export interface DccmThresholds {
  /** thres1: W_ij = 1 when cos(z_i, z_j) ≥ this (paper: 0.95). */
  graph: number;
  /** thres2: a sample's argmax is a pseudo-label when its max probability ≥ this (paper: 0.9). */
  label: number;
}

export const PAPER_WEIGHTS: DccmLossWeights = { alpha: 5, beta: 0.1 };
export const PAPER_THRESHOLDS: DccmThresholds = { graph: 0.95, label: 0.9 };

/** Keeps BCE finite where S is exactly 0 or 1 (S_ii = 1 always); like PyTorch's BCELoss log clamp. */
const BCE_EPS = 1e-7;

/**
 * Softmax outputs of the un-augmented pass over a big batch, and the pseudo-supervision derived from them.
 * Host-side so that mini-batch blocks of W, label lookups and pair sampling cost no backend round trips.
 */
export class TargetTable {
  readonly n: number;
  private readonly unit: Float32Array;

  constructor(readonly probs: Float32Array, readonly k: number, readonly thresholds: DccmThresholds) {
    if (probs.length % k !== 0) throw new Error('probs length is not a multiple of k');
    this.n = probs.length / k;
    this.unit = new Float32Array(probs.length);
    for (let i = 0; i < this.n; i++) {
      let norm = 0;
      for (let c = 0; c < k; c++) norm += probs[i * k + c]! ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let c = 0; c < k; c++) this.unit[i * k + c] = probs[i * k + c]! * inv;
    }
  }

  /** cos(z_i, z_j) between two rows of the big batch. */
  similarity(i: number, j: number): number {
    const k = this.k;
    let s = 0;
    for (let c = 0; c < k; c++) s += this.unit[i * k + c]! * this.unit[j * k + c]!;
    return s;
  }

  /** Pseudo-graph block W[rows, rows] as a row-major 0/1 matrix (diagonal 1). */
  graphBlock(rows: number[]): Float32Array {
    const b = rows.length;
    const w = new Float32Array(b * b);
    for (let a = 0; a < b; a++) {
      w[a * b + a] = 1;
      for (let c = a + 1; c < b; c++) {
        const v = this.similarity(rows[a]!, rows[c]!) >= this.thresholds.graph ? 1 : 0;
        w[a * b + c] = v;
        w[c * b + a] = v;
      }
    }
    return w;
  }

  /** argmax_k z_ik for each row. */
  labels(rows: number[]): Int32Array {
    return Int32Array.from(rows, (r) => this.argmax(r).index);
  }

  /** 1 where max_k z_ik ≥ thres2, else 0. */
  confident(rows: number[]): Float32Array {
    return Float32Array.from(rows, (r) => (this.argmax(r).value >= this.thresholds.label ? 1 : 0));
  }

  private argmax(row: number): { index: number; value: number } {
    let index = 0;
    let value = -Infinity;
    for (let c = 0; c < this.k; c++) {
      const v = this.probs[row * this.k + c]!;
      if (v > value) {
        value = v;
        index = c;
      }
    }
    return { index, value };
  }

  /** Summary for progress reports: share of confident samples and of positive off-diagonal pairs in the whole table. */
  stats(): { confidentShare: number; graphPositiveShare: number } {
    const all = Array.from({ length: this.n }, (_, i) => i);
    const conf = this.confident(all).reduce((a, b) => a + b, 0);
    let pos = 0;
    for (let i = 0; i < this.n; i++) for (let j = i + 1; j < this.n; j++) if (this.similarity(i, j) >= this.thresholds.graph) pos++;
    const pairs = (this.n * (this.n - 1)) / 2;
    return { confidentShare: this.n ? conf / this.n : 0, graphPositiveShare: pairs ? pos / pairs : 0 };
  }
}

/** S = cos(z_i, z_j) for all pairs of rows of a probability matrix [B, K] → [B, B]. */
export function cosineSimilarity(probs: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(probs), 1, true), 1e-12));
    const unit = tf.div(probs, norm) as Tensor2D;
    return tf.matMul(unit, unit, false, true);
  });
}

/** L_PG = mean over all B² pairs of BCE(S_ij, W_ij). */
export function graphLoss(probs: Tensor2D, graph: Tensor2D): Scalar {
  return tf.tidy(() => {
    const s = tf.clipByValue(cosineSimilarity(probs), BCE_EPS, 1 - BCE_EPS);
    const bce = tf.neg(tf.add(tf.mul(graph, tf.log(s)), tf.mul(tf.sub(1, graph), tf.log(tf.sub(1, s)))));
    return tf.mean(bce) as Scalar;
  });
}

/**
 * L_PL = mean over confident samples of CE(z_i, y_i) = −log softmax(logits)_i,y_i; 0 when no sample is confident.
 * Takes logits (not probabilities) for a numerically stable log-softmax.
 */
export function labelLoss(logits: Tensor2D, labels: Tensor1D, confident: Tensor1D): Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, k), logp), 1));
    return tf.div(tf.sum(tf.mul(ce, confident)), tf.maximum(tf.sum(confident), 1)) as Scalar;
  });
}

/**
 * Jensen–Shannon MI estimator (Deep InfoMax): L_MI = E_pos softplus(−T) + E_neg softplus(T).
 * `negMask` (same shape as negScores' leading dim) drops negatives that could not be drawn.
 */
export function miLoss(posScores: Tensor, negScores: Tensor, negMask?: Tensor1D): Scalar {
  return tf.tidy(() => {
    const pos = tf.mean(tf.softplus(tf.neg(posScores)));
    const negPerPair = tf.mean(tf.reshape(tf.softplus(negScores), [negScores.shape[0]!, -1]), 1);
    const neg = negMask
      ? tf.div(tf.sum(tf.mul(negPerPair, negMask)), tf.maximum(tf.sum(negMask), 1))
      : tf.mean(negPerPair);
    return tf.add(pos, neg) as Scalar;
  });
}

/**
 * Pairs for the MI term within one mini-batch, given its pseudo-graph block W (row-major, B×B, symmetric).
 * Each shallow map s_j is paired with deep features: itself (positive), one uniformly random other neighbour
 * (positive; itself when j has no neighbour), and `negatives` uniformly random non-neighbours (masked out when j
 * has none). The reference code instead took the first non-neighbours and an off-by-one neighbour.
 * Pairing by shallow index keeps the large shallow maps in order; W's symmetry makes this the same pair
 * distribution as sampling per deep feature.
 */
export interface MiPairs {
  /** Deep-feature index paired with shallow map j, for the neighbour positive. */
  neighbour: Int32Array;
  /** negatives[m][j]: deep index of the m-th negative for shallow map j. */
  negatives: Int32Array[];
  /** negativeMask[m][j] = 0 when j has no non-neighbour. */
  negativeMask: Float32Array[];
}

export function sampleMiPairs(graph: Float32Array, b: number, negatives: number, rng: Rng): MiPairs {
  const neighbour = new Int32Array(b);
  const negs = Array.from({ length: negatives }, () => new Int32Array(b));
  const masks = Array.from({ length: negatives }, () => new Float32Array(b));
  const pos: number[] = [];
  const neg: number[] = [];
  for (let j = 0; j < b; j++) {
    pos.length = 0;
    neg.length = 0;
    for (let i = 0; i < b; i++) {
      if (i === j) continue;
      (graph[j * b + i]! > 0.5 ? pos : neg).push(i);
    }
    neighbour[j] = pos.length ? pos[rng.int(pos.length)]! : j;
    for (let m = 0; m < negatives; m++) {
      if (neg.length) {
        negs[m]![j] = neg[rng.int(neg.length)]!;
        masks[m]![j] = 1;
      } else {
        negs[m]![j] = j;
        masks[m]![j] = 0;
      }
    }
  }
  return { neighbour, negatives: negs, negativeMask: masks };
}
