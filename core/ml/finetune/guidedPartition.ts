/**
 * Grouping that learns from the user: when photos were placed in groups by hand, a new run starts from the user's
 * groups as they are and refines them with k-means in which every hand-placed photo is fixed to its group and counts
 * up to PIN_WEIGHT times in its group's centre (PIN_SHARE). The photos around a corrected one follow it; nothing the
 * user placed moves.
 *
 * Why the user's whole groups and not the hand-placed photos alone: the photos a user moves are the ones the previous
 * grouping got wrong, the least typical of their kind, so centres made of them alone sort worse than not learning at
 * all (simulated user correcting 5 photos per group, 3 seeds: clothing 0.59 against 0.64 for the groups as they were).
 * Measured with `npm run bench -- finetune --corrections 2,5,10` (README, "How good are the groups").
 *
 * Used below the random-start size only (finetune.ts). On 10,000 CIFAR-10 photos, where the head trained from scratch
 * sorts well above k-means, every way of learning from 50 corrections measured ended below the user's groups with the
 * moves alone (0.502): this refinement 0.422 (it pulls the groups back towards k-means'), the head trained with the
 * corrections as known labels 0.428 from a random start and 0.459 from the user's groups. An ordinary run there gives
 * the previous groups again (same seed) and keeps the placed photos, so that is what grouping again does.
 */
import { partitionMeans } from '../kmeans/kmeans.js';
import type { CorrectionEvidence } from './correctedDoubt.js';

/**
 * The user's groups as a run sees them: `rows[i]` (an index into the run's photos) is in group `slots[i]` (0..G-1),
 * put there by hand when `pinned[i]`. Only photos that are in a group appear.
 */
export interface RunGuide {
  rows: readonly number[];
  slots: readonly number[];
  pinned: readonly boolean[];
  /** How many of the last grouping's expected mistakes the user found since: lifts "N % sure" (correctedDoubt.ts). */
  corrections?: CorrectionEvidence;
}

/**
 * How many times a hand-placed photo counts in its group's centre, at most; PIN_SHARE is what bounds it in all but
 * large groups. Chosen with a simulated user going through Review unsure, least sure first, as the app offers the
 * photos (`npm run bench -- finetune --review 25,50`, 3 seeds, 5 folders): the photos Review shows are the least
 * typical of their kind, so counted 1, 2 or 5 times they barely move their group's centre (1,341 clothing photos, 25
 * looked at: 0.610 / 0.612 / 0.617 after grouping again), 10 and 20 times they do (0.638 / 0.641); with no bound
 * beyond the quarter a single placed photo stands for a third of a large group and grouping again loses (5 per group
 * moved: 0.689 against 0.709 at 20, and 3 in all: below the moves alone). At 20 against 5, over 30 cases (25 and
 * 50 photos looked at in Review least sure first and in a random order, 5 moved per group, 3 moved in all; 400 and
 * 1,341 clothing photos, 1,000 CIFAR-10 photos, six clothing kinds, five CIFAR-10 kinds): +0.006 on average, from
 * −0.007 to +0.042.
 */
export const PIN_WEIGHT = 20;

/**
 * The largest share of a group's centre its hand-placed photos may carry together. The photos a user moves are the
 * least typical of their kind; in a small group, five times a few of them can drag the centre off the kind (90 shirts,
 * long sleeves and T-shirts, 2 moved per group: 0.778 with the moves alone, 0.711 after grouping again). Capped at a
 * quarter, 3- and 5-class folders of 30 photos per class (12 each of clothing and CIFAR-10, 2 and 4 moves per group)
 * never lost more than 0.02 against the moves alone (uncapped: up to 0.17). With PIN_WEIGHT at 5 it bound in the
 * smaller of 10 groups of ~130 photos only (clothing, 5 moved per group: 0.701 against 0.715 uncapped); at 20 it is
 * what bounds the placed photos in most groups under a few hundred photos.
 */
export const PIN_SHARE = 0.25;

/** Weight of each hand-placed photo in a group of `members` photos of which `pins` were placed by hand. */
export function pinWeight(members: number, pins: number, weight = PIN_WEIGHT, share = PIN_SHARE): number {
  if (pins === 0) return 1;
  const others = members - pins;
  return Math.min(weight, Math.max(1, ((share / (1 - share)) * others) / pins));
}

const MAX_ITERATIONS = 100;

/** Throws unless the guide fits `n` photos: parallel arrays, rows in range and distinct, slots dense from 0. */
export function checkGuide(guide: RunGuide, n: number): { groups: number; pinned: number; pinnedGroups: number } {
  const { rows, slots, pinned } = guide;
  if (rows.length !== slots.length || rows.length !== pinned.length) throw new Error('guide: rows, slots and pinned differ in length');
  const seen = new Set<number>();
  let groups = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const s = slots[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`guide: row ${r} is not one of the ${n} photos`);
    if (seen.has(r)) throw new Error(`guide: row ${r} appears twice`);
    seen.add(r);
    if (!Number.isInteger(s) || s < 0) throw new Error(`guide: slot ${s} is not a group index`);
    groups = Math.max(groups, s + 1);
  }
  const used = new Set(slots);
  if (used.size !== groups) throw new Error('guide: group slots are not numbered 0..G-1');
  const pinnedSlots = new Set(slots.filter((_, i) => pinned[i]));
  return { groups, pinned: pinned.filter(Boolean).length, pinnedGroups: pinnedSlots.size };
}

/**
 * The number of groups a guided run makes: what was asked, but never fewer than the groups holding hand-placed photos;
 * with `keepAll` (the user let PhotoCluster choose) never fewer than the user's groups, which the run starts from.
 */
export function guidedK(k: number, guide: RunGuide, keepAll = false): number {
  return Math.max(k, new Set(keepAll ? guide.slots : guide.slots.filter((_, i) => guide.pinned[i])).size);
}

export interface GuidedPartition {
  /** Group of every photo: outputs 0..G'-1 are the user's groups kept (slot order), the rest are new groups. */
  partition: Int32Array;
  /** Output of each hand-placed photo's group, per row (-1: not hand-placed); what training takes as known labels. */
  known: Int32Array;
  /** User's group slot → output index (absent: the group was not kept, because k asked for fewer groups). */
  outputOfSlot: Map<number, number>;
  iterations: number;
}

/**
 * k-means (cosine) of unit rows started at the user's groups and refined with the hand-placed photos fixed.
 * `plain`: an unguided k-means partition of the same photos, whose centres fill the groups beyond the user's
 * (farthest from those already chosen first) when k is larger than the number of the user's groups.
 */
export function guidedPartition(unit: Float32Array, n: number, d: number, k: number, guide: RunGuide, plain: Int32Array, weight = PIN_WEIGHT): GuidedPartition {
  const kk = guidedK(k, guide);
  const { start, known, outputOfSlot } = guideOutputs(n, kk, guide);
  const centres = new Float64Array(kk * d);
  weightedCentres(unit, n, d, start, known, weight, centres);
  fillFromPlain(unit, n, d, plain, outputOfSlot.size, kk, centres);

  let partition: Int32Array = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const next = assign(unit, n, d, centres, kk, known);
    const changed = next.some((c, i) => c !== partition[i]);
    partition = next;
    if (!changed) break;
    weightedCentres(unit, n, d, partition, known, weight, centres);
  }
  return { partition, known, outputOfSlot, iterations };
}

/**
 * Which of the user's groups become outputs 0..G'-1 of a run with `k` outputs (in slot order: all those holding
 * hand-placed photos, then the largest others), each photo's output in the user's groups (`start`, -1: none or a
 * group not kept) and each hand-placed photo's output (`known`, -1: not placed by hand).
 */
function guideOutputs(n: number, k: number, guide: RunGuide): Pick<GuidedPartition, 'known' | 'outputOfSlot'> & { start: Int32Array } {
  const { groups, pinnedGroups } = checkGuide(guide, n);
  if (k < pinnedGroups) throw new Error(`${pinnedGroups} groups hold photos placed by hand; a run with ${k} cannot keep them (use guidedK)`);
  const size = new Int32Array(groups);
  const hasPin = new Uint8Array(groups);
  guide.slots.forEach((s, i) => {
    size[s]! += 1;
    if (guide.pinned[i]) hasPin[s] = 1;
  });
  const kept = [...Array(groups).keys()]
    .sort((a, b) => hasPin[b]! - hasPin[a]! || size[b]! - size[a]! || a - b)
    .slice(0, k)
    .sort((a, b) => a - b);
  const outputOfSlot = new Map(kept.map((s, o) => [s, o]));
  const start = new Int32Array(n).fill(-1);
  const known = new Int32Array(n).fill(-1);
  guide.rows.forEach((r, i) => {
    const o = outputOfSlot.get(guide.slots[i]!);
    if (o === undefined) return;
    start[r] = o;
    if (guide.pinned[i]) known[r] = o;
  });
  return { start, known, outputOfSlot };
}

/** What a run learned from: the hand-placed photos and the groups they are in. */
export function summariseGuide(guide: RunGuide, result: Pick<GuidedPartition, 'known'>): { photos: number; groups: number } {
  const groups = new Set<number>();
  let photos = 0;
  for (const c of result.known) {
    if (c < 0) continue;
    photos++;
    groups.add(c);
  }
  if (photos !== guide.pinned.filter(Boolean).length) throw new Error('guide: a hand-placed photo lost its group');
  return { photos, groups: groups.size };
}

/** Nearest centre (cosine) of each row; known rows stay in their group. */
function assign(unit: Float32Array, n: number, d: number, centres: Float64Array, k: number, known: Int32Array): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (known[i]! >= 0) {
      out[i] = known[i]!;
      continue;
    }
    let best = 0;
    let bestSim = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += unit[i * d + j]! * centres[c * d + j]!;
      if (s > bestSim) {
        bestSim = s;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Unit-length centre of each group from its rows (`-1`: none), known rows counting up to `weight` times (pinWeight);
 * a group with no rows keeps the centre it had.
 */
function weightedCentres(unit: Float32Array, n: number, d: number, partition: Int32Array, known: Int32Array, weight: number, centres: Float64Array): void {
  const k = centres.length / d;
  const members = new Int32Array(k);
  const pins = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = partition[i]!;
    if (c < 0) continue;
    members[c]! += 1;
    if (known[i]! >= 0) pins[c]! += 1;
  }
  const pinned = Float64Array.from(members, (m, c) => pinWeight(m, pins[c]!, weight));
  const sums = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = partition[i]!;
    if (c < 0) continue;
    const w = known[i]! >= 0 ? pinned[c]! : 1;
    for (let j = 0; j < d; j++) sums[c * d + j]! += w * unit[i * d + j]!;
  }
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += sums[c * d + j]! ** 2;
    if (norm === 0) continue;
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! * inv;
  }
}

/** Centres `from`..k-1: the plain partition's centres least like any centre already chosen, one after another. */
function fillFromPlain(unit: Float32Array, n: number, d: number, plain: Int32Array, from: number, k: number, centres: Float64Array): void {
  if (from >= k) return;
  const kp = Math.max(...plain) + 1;
  const { means, sizes } = partitionMeans(unit, n, d, plain, kp);
  const candidates = new Map<number, Float64Array>();
  for (let c = 0; c < kp; c++) {
    if (!sizes[c]) continue;
    let norm = 0;
    for (let j = 0; j < d; j++) norm += means[c * d + j]! ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    candidates.set(c, Float64Array.from({ length: d }, (_, j) => means[c * d + j]! * inv));
  }
  for (let slot = from; slot < k; slot++) {
    let best = -1;
    let bestMax = Infinity;
    for (const [c, m] of candidates) {
      let closest = -Infinity;
      for (let o = 0; o < slot; o++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += m[j]! * centres[o * d + j]!;
        closest = Math.max(closest, s);
      }
      if (closest < bestMax) {
        bestMax = closest;
        best = c;
      }
    }
    if (best < 0) throw new Error(`not enough distinct groups to start ${k} (the plain partition has ${sizes.filter((x) => x > 0).length})`);
    centres.set(candidates.get(best)!, slot * d);
    candidates.delete(best);
  }
}
