// The simulated Review session behind `bench finetune --review`: the order photos are offered in, and what the user
// does with each.
import { describe, expect, it } from 'vitest';
import { reviewQueue, simulateReview, targetRanks } from './_review.js';

// 3 kinds (0, 1, 2) in 2 groups: group 0 stands for kind 0, group 1 for kind 1; kind 2 has no group.
//                 0    1    2    3    4    5    6    7    8    9
const labels = [0, 0, 0, 1, 2, 1, 1, 1, 0, 2];
const cluster = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
const confidence = [0.9, 0.4, 0.45, 0.1, 0.2, 0.3, 0.95, 0.35, 0.05, 0.49];

describe('reviewQueue', () => {
  it('lists only the unsure photos, least sure first', () => {
    expect(reviewQueue(cluster, confidence, 0.5, 'least-sure', 's')).toEqual([8, 3, 4, 5, 7, 1, 2, 9]);
  });

  it('by group takes one photo from each group in turn, each group least sure first', () => {
    // Group 1's least sure (8, 0.05) comes before group 0's (3, 0.1), so group 1 leads each round.
    expect(reviewQueue(cluster, confidence, 0.5, 'by-group', 's')).toEqual([8, 3, 5, 4, 7, 1, 9, 2]);
  });

  it('random shuffles the same photos, the same way for the same seed', () => {
    const a = reviewQueue(cluster, confidence, 0.5, 'random', 'x');
    expect([...a].sort((p, q) => p - q)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
    expect(reviewQueue(cluster, confidence, 0.5, 'random', 'x')).toEqual(a);
  });
});

describe('simulateReview', () => {
  it('keeps right photos, moves wrong ones to their kind, and pins only what it decided', () => {
    const queue = reviewQueue(cluster, confidence, 0.5, 'least-sure', 's');
    const sim = simulateReview(labels, cluster, queue, 5); // looks at 8, 3, 4, 5, 7
    expect([sim.looked, sim.kept, sim.moved, sim.rejected]).toEqual([5, 2, 2, 1]);
    expect(sim.partition[8]).toBe(0); // a kind-0 photo in group 1, moved to group 0
    expect(sim.partition[3]).toBe(1);
    expect(sim.partition[4]).toBe(0); // kind 2 has no group: "Not this group", left where it was
    expect(sim.guide.pinned.flatMap((p, i) => (p ? [i] : []))).toEqual([3, 5, 7, 8]);
    // What the user did with each photo, as the app's edit log would tell it (runGuide.ts correctionsSince).
    expect(sim.outcome).toEqual([null, null, null, 'moved', 'rejected', 'kept', null, 'kept', 'moved', null]);
    for (const i of [0, 1, 2, 6, 9]) expect(sim.partition[i]).toBe(cluster[i]);
  });

  it('stops at the end of the queue', () => {
    const queue = reviewQueue(cluster, confidence, 0.5, 'least-sure', 's');
    expect(simulateReview(labels, cluster, queue, 50).looked).toBe(queue.length);
  });
});

describe('reviewQueue, other orders', () => {
  it('most sure first is the least-sure order reversed', () => {
    expect(reviewQueue(cluster, confidence, 0.5, 'most-sure', 's')).toEqual([9, 2, 1, 7, 5, 4, 3, 8]);
  });

  it('spread takes the least sure, then half-way along, then the quarters, and so on', () => {
    // Least-sure order [8, 3, 4, 5, 7, 1, 2, 9] taken at 0, 1/2, 1/4, 3/4, 1/8, 5/8, 3/8, 7/8 of the way: ranks 0, 4, 2, 6, 1, 5, 3, 7.
    expect(reviewQueue(cluster, confidence, 0.5, 'spread', 's')).toEqual([8, 7, 4, 2, 3, 1, 5, 9]);
  });

  it('spread never repeats or drops a photo when the count is not a power of two', () => {
    const conf = Array.from({ length: 23 }, (_, i) => i / 50);
    const q = reviewQueue(new Array(23).fill(0), conf, 0.5, 'spread', 's');
    expect([...q].sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
  });
});

describe('targetRanks', () => {
  it("ranks the wrongly placed unsure photos' right group among the others: by centres, by the run's scores, by size", () => {
    // Three groups: 0 (kind 0, 4 photos), 1 (kind 1, 3 photos), 2 (kind 2, 2 photos).
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const cluster = [0, 0, 0, 0, 1, 1, 1, 2, 2];
    const confidence = [0.9, 0.9, 0.9, 0.3, 0.9, 0.9, 0.2, 0.9, 0.9];
    const k = 3;
    const probs = new Float32Array(9 * k);
    // Photo 3 (kind 1 in group 0) scores group 1 next; photo 6 (kind 2 in group 1) scores its home, group 2, next.
    probs.set([0.5, 0.4, 0.1], 3 * k);
    probs.set([0.1, 0.6, 0.3], 6 * k);
    // On a plane: group 0 along x (centre 17°), group 1's centre at 108°, group 2's at 79°. Photo 3 (79°) lies at
    // group 2's centre, so centres put its home second; photo 6 (81°) is nearest its home, group 2.
    const vectors = Float32Array.from([[1, 0], [1, 0], [1, 0], [0.2, 1], [-0.6, 1], [-0.6, 1], [0.15, 1], [0.2, 1], [0.2, 1]].flat());
    const r = targetRanks(labels, cluster, confidence, probs, k, vectors, 2, 0.5)!;
    expect(r.photos).toBe(2);
    expect(r.likeliestFirst).toEqual({ first: 0.5, firstThree: 1 });
    // By the scores both homes come first. Biggest first (0: 4, 1: 3, 2: 2): photo 3's home (1) is first of [1, 2];
    // photo 6's home (2) is second of [0, 2].
    expect(r.byModelScores).toEqual({ first: 1, firstThree: 1 });
    expect(r.biggestFirst).toEqual({ first: 0.5, firstThree: 1 });
    // A sure photo is not shown by Review, and nothing wrongly placed and unsure leaves nothing to rank.
    expect(targetRanks(labels, cluster, confidence.map(() => 0.9), probs, k, vectors, 2, 0.5)).toBeNull();
  });
});
