import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { cosineSimilarity, graphLoss, labelLoss, miLoss, PAPER_THRESHOLDS, sampleMiPairs, TargetTable } from './losses.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// Four samples with known softmax outputs: 0 and 1 nearly one-hot on class 0, 2 leaning to class 1, 3 flat.
const PROBS = [
  [0.97, 0.02, 0.01],
  [0.95, 0.03, 0.02],
  [0.1, 0.85, 0.05],
  [0.34, 0.33, 0.33],
];
const cos = (a: number[], b: number[]): number => {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  return dot / Math.hypot(...a) / Math.hypot(...b);
};

describe('TargetTable (pseudo-graph and pseudo-labels from the un-augmented pass)', () => {
  const table = new TargetTable(Float32Array.from(PROBS.flat()), 3, PAPER_THRESHOLDS);

  it('thresholds cosine similarity at 0.95 into a symmetric graph with a unit diagonal', () => {
    expect(cos(PROBS[0]!, PROBS[1]!)).toBeGreaterThan(0.95);
    expect(cos(PROBS[0]!, PROBS[3]!)).toBeCloseTo(0.6063, 3);
    expect(Array.from(table.graphBlock([0, 1, 2, 3]))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    // A block of a subset, in the given row order.
    expect(Array.from(table.graphBlock([3, 1, 0]))).toEqual([1, 0, 0, 0, 1, 1, 0, 1, 1]);
  });

  it('labels by argmax and marks samples with max probability ≥ 0.9 as confident', () => {
    expect(Array.from(table.labels([0, 1, 2, 3]))).toEqual([0, 0, 1, 0]);
    expect(Array.from(table.confident([0, 1, 2, 3]))).toEqual([1, 1, 0, 0]);
  });

  it('summarises the confident share and the share of positive pairs', () => {
    expect(table.stats()).toEqual({ confidentShare: 0.5, graphPositiveShare: 1 / 6 });
  });
});

describe('losses on hand-computed cases', () => {
  it('cosine similarity of probability rows', () => {
    const s = cosineSimilarity(tf.tensor2d([[1, 0], [0.6, 0.8], [3, 4]]));
    const v = s.arraySync();
    expect(v[0]![1]).toBeCloseTo(0.6, 6);
    expect(v[1]![2]).toBeCloseTo(1, 6);
    expect(v[2]![2]).toBeCloseTo(1, 6);
  });

  it('L_PG is the mean BCE over all pairs', () => {
    const probs = tf.tensor2d([[1, 0], [0.6, 0.8]]);
    // S01 = 0.6; the diagonal (S = 1, W = 1) contributes ~0.
    const apart = graphLoss(probs, tf.tensor2d([[1, 0], [0, 1]])).dataSync()[0]!;
    expect(apart).toBeCloseTo((2 * -Math.log(1 - 0.6)) / 4, 5);
    const together = graphLoss(probs, tf.tensor2d([[1, 1], [1, 1]])).dataSync()[0]!;
    expect(together).toBeCloseTo((2 * -Math.log(0.6)) / 4, 5);
  });

  it('L_PL is the mean cross-entropy over confident samples only', () => {
    const logits = tf.tensor2d([[2, 0, 0], [0, 1, 0], [0, 0, 3]]);
    const labels = tf.tensor1d([0, 1, 1], 'int32');
    const ce0 = Math.log(1 + 2 * Math.exp(-2));
    const ce2 = Math.log(2 + Math.exp(3));
    expect(labelLoss(logits, labels, tf.tensor1d([1, 0, 1])).dataSync()[0]).toBeCloseTo((ce0 + ce2) / 2, 5);
    expect(labelLoss(logits, labels, tf.tensor1d([0, 0, 0])).dataSync()[0]).toBe(0);
  });

  it('L_MI = mean softplus(−T_pos) + mean softplus(T_neg), with masked negatives dropped', () => {
    const sp = (x: number): number => Math.log(1 + Math.exp(x));
    const pos = tf.tensor2d([[0], [1]]);
    const neg = tf.tensor2d([[0], [-1]]);
    const both = (sp(0) + sp(-1)) / 2;
    expect(miLoss(pos, neg).dataSync()[0]).toBeCloseTo(both + both, 5);
    expect(miLoss(pos, neg, tf.tensor1d([1, 0])).dataSync()[0]).toBeCloseTo(both + sp(0), 5);
  });
});

describe('MI pair sampling', () => {
  // j=0,1 are neighbours; j=2 has no neighbour; j=3,4,5 are all neighbours of each other.
  const b = 6;
  const w = new Float32Array(b * b);
  const link = (i: number, j: number): void => {
    w[i * b + j] = 1;
    w[j * b + i] = 1;
  };
  for (let i = 0; i < b; i++) link(i, i);
  link(0, 1);
  link(3, 4);
  link(3, 5);
  link(4, 5);

  it('pairs each shallow map with a true neighbour (or itself) and with non-neighbour negatives', () => {
    const pairs = sampleMiPairs(w, b, 2, new Rng(5));
    expect(pairs.neighbour[0]).toBe(1);
    expect(pairs.neighbour[1]).toBe(0);
    expect(pairs.neighbour[2]).toBe(2);
    expect([4, 5]).toContain(pairs.neighbour[3]);
    for (const negs of pairs.negatives) {
      negs.forEach((i, j) => {
        expect(i).not.toBe(j);
        expect(w[j * b + i]).toBe(0);
      });
    }
  });

  it('draws negatives at random rather than the first non-neighbour', () => {
    const rng = new Rng(9);
    const seen = new Set<number>();
    for (let t = 0; t < 50; t++) seen.add(sampleMiPairs(w, b, 1, rng).negatives[0]![0]!);
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('masks negatives for a sample whose graph row is all neighbours', () => {
    const full = new Float32Array(9).fill(1);
    const pairs = sampleMiPairs(full, 3, 2, new Rng(1));
    expect(pairs.negativeMask.every((m) => m.every((v) => v === 0))).toBe(true);
    pairs.neighbour.forEach((i, j) => expect(i).not.toBe(j));
  });
});
