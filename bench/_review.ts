// A simulated user going through "Review unsure" after the first grouping, for measuring what a Review session is
// worth once the folder is grouped again, and in what order Review should offer its photos. The labels stand for
// the user's eyes (as in bench/_corrections.ts) and are used for nothing else: each group stands for the kind it
// shares most photos with; the user looks at the first `looked` unsure photos in the order given, keeps a photo that
// shows its group's kind, moves one that shows another kind to that kind's group, and marks one whose kind has no
// group "Not this group" (it stays where it was and guides nothing, as the app's runGuide leaves it out).
import { Rng } from '../core/ml/rng.js';
import type { RunGuide } from '../core/ml/finetune/guidedPartition.js';
import { groupKinds, guideFrom } from './_corrections.js';
import { centresOf, nearestCentres } from '../core/service/likelyGroups.js';

/** How Review lines up the unsure photos. */
export type ReviewOrder = 'least-sure' | 'by-group' | 'random' | 'most-sure' | 'spread';
export const REVIEW_ORDERS: readonly ReviewOrder[] = ['least-sure', 'by-group', 'random', 'most-sure', 'spread'];

export interface SimulatedReview {
  guide: RunGuide;
  /** Group of each photo after the session. */
  partition: Int32Array;
  looked: number;
  kept: number;
  moved: number;
  rejected: number;
  /** What the user did with each photo: 'kept', 'moved', 'rejected', or null (not looked at). */
  outcome: Array<ReviewOutcome | null>;
}

export type ReviewOutcome = 'kept' | 'moved' | 'rejected';

/**
 * The unsure photos (confidence below `unsureBelow`) in the order Review offers them:
 * 'least-sure' — least sure first across the folder (ties by index, as the store orders by photo id);
 * 'by-group' — one photo per group in turn, each group's least sure first, the groups in the order of their least
 *   sure photo;
 * 'random' — shuffled (seeded);
 * 'most-sure' — the surest of the unsure first;
 * 'spread' — across the range of confidence, without chance: the photos 0, 1/2, 1/4, 3/4, 1/8, … of the way along
 *   the least-sure order (van der Corput), so any first few cover the unsure photos evenly.
 */
export function reviewQueue(cluster: ArrayLike<number>, confidence: ArrayLike<number>, unsureBelow: number, order: ReviewOrder, seed: string): number[] {
  const unsure = [...Array(cluster.length).keys()].filter((i) => confidence[i]! < unsureBelow);
  const leastSure = unsure.sort((a, b) => confidence[a]! - confidence[b]! || a - b);
  if (order === 'least-sure') return leastSure;
  if (order === 'most-sure') return [...leastSure].reverse();
  if (order === 'random') return Array.from(new Rng(seed).permutation(leastSure.length), (at) => leastSure[at]!);
  if (order === 'spread') {
    // Queue position q goes to the untaken rank nearest vdc(q) of the way along: 0, 1/2, 1/4, 3/4, 1/8, …
    const m = leastSure.length;
    const taken = new Uint8Array(m);
    const out: number[] = [];
    for (let q = 0; q < m; q++) {
      const target = Math.floor(vanDerCorput(q) * m);
      let r = target;
      for (let d = 1; taken[r]; d++) r = target + d < m && !taken[target + d] ? target + d : target - d >= 0 && !taken[target - d] ? target - d : r;
      taken[r] = 1;
      out.push(leastSure[r]!);
    }
    return out;
  }
  const byGroup = new Map<number, number[]>();
  for (const i of leastSure) {
    const g = cluster[i]!;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push(i);
  }
  const queues = [...byGroup.values()];
  const out: number[] = [];
  for (let round = 0; out.length < leastSure.length; round++) for (const q of queues) if (round < q.length) out.push(q[round]!);
  return out;
}

export function simulateReview(labels: readonly number[], cluster: ArrayLike<number>, queue: readonly number[], looked: number): SimulatedReview {
  const n = labels.length;
  const { kindOfSlot, slotOfKind, partition } = groupKinds(labels, cluster);
  const pinned = new Array<boolean>(n).fill(false);
  const outcome = new Array<ReviewOutcome | null>(n).fill(null);
  let kept = 0;
  let moved = 0;
  let rejected = 0;
  const seen = queue.slice(0, looked);
  for (const i of seen) {
    const kind = labels[i]!;
    if (kindOfSlot.get(partition[i]!) === kind) {
      pinned[i] = true;
      outcome[i] = 'kept';
      kept++;
    } else if (slotOfKind.has(kind)) {
      partition[i] = slotOfKind.get(kind)!;
      pinned[i] = true;
      outcome[i] = 'moved';
      moved++;
    } else {
      outcome[i] = 'rejected';
      rejected++;
    }
  }
  return { guide: guideFrom(partition, pinned), partition, looked: seen.length, kept, moved, rejected, outcome };
}

/** The radical inverse of `i` in base 2: 0, 1/2, 1/4, 3/4, 1/8, 5/8, … for i = 0, 1, 2, … */
function vanDerCorput(i: number): number {
  let v = 0;
  for (let f = 0.5; i > 0; i >>= 1, f /= 2) if (i & 1) v += f;
  return v;
}

/** Where the right group stood among Review's move targets for the unsure photos placed outside their kind's group. */
export interface TargetRanks {
  /** Unsure photos in a group that is not their kind's, whose kind has a group. */
  photos: number;
  /**
   * Share whose kind's group was the first target (key 1), and among the first three, in each order: the app's (the
   * other groups by their centres' closeness to the photo, core/service/likelyGroups.ts), by the run's scores for the
   * photo (the app's order before), and biggest first (before that).
   */
  likeliestFirst: { first: number; firstThree: number };
  byModelScores: { first: number; firstThree: number };
  biggestFirst: { first: number; firstThree: number };
}

/**
 * How Review's target orders serve the photos it shows that are wrongly placed. `probs`: n × k, column = group;
 * `vectors`: n × dim, what the run stores for each photo. Null when no unsure photo is wrongly placed.
 */
export function targetRanks(labels: readonly number[], cluster: ArrayLike<number>, confidence: ArrayLike<number>, probs: Float32Array, k: number, vectors: Float32Array, dim: number, unsureBelow: number): TargetRanks | null {
  const { kindOfSlot, slotOfKind } = groupKinds(labels, cluster);
  const groups = [...new Set(Array.from(cluster))].sort((a, b) => a - b);
  const size = new Map(groups.map((g) => [g, 0]));
  for (const g of Array.from(cluster)) size.set(g, size.get(g)! + 1);
  const slotOf = new Map(groups.map((g, s) => [g, s]));
  const bySize = [...groups].sort((a, b) => size.get(b)! - size.get(a)! || a - b);
  const row = (i: number) => vectors.subarray(i * dim, (i + 1) * dim);
  const centres = centresOf(Array.from(cluster, (group, i) => ({ vector: row(i), group })), dim);
  const ranks = { likeliest: [] as number[], scores: [] as number[], biggest: [] as number[] };
  for (let i = 0; i < labels.length; i++) {
    const own = cluster[i]!;
    if (!(confidence[i]! < unsureBelow) || kindOfSlot.get(slotOf.get(own)!) === labels[i] || !slotOfKind.has(labels[i]!)) continue;
    const home = groups[slotOfKind.get(labels[i]!)!]!;
    const scores = probs.subarray(i * k, (i + 1) * k);
    ranks.likeliest.push(nearestCentres(row(i), centres, (g) => g === own).findIndex((c) => c.group === home));
    ranks.scores.push(groups.filter((g) => g !== own).sort((a, b) => scores[b]! - scores[a]!).indexOf(home));
    ranks.biggest.push(bySize.filter((g) => g !== own).indexOf(home));
  }
  const n = ranks.likeliest.length;
  if (n === 0) return null;
  const shares = (r: number[]) => ({ first: r.filter((x) => x === 0).length / n, firstThree: r.filter((x) => x < 3).length / n });
  return { photos: n, likeliestFirst: shares(ranks.likeliest), byModelScores: shares(ranks.scores), biggestFirst: shares(ranks.biggest) };
}
