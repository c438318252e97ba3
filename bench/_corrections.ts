// A simulated user correcting a grouping, for measuring how much a run learns from hand-placed photos. The user
// knows what each photo shows (the labels stand for the user's eyes here, and are used for nothing else): each group
// is taken to stand for the kind it shares most photos with (best one-to-one match), and in each group the user moves
// `perGroup` photos of another kind, picked at random, to the group that stands for their kind. Photos of a kind no
// group stands for are left alone, as a user would have nowhere to put them. With a `total` instead, the user moves
// that many photos in all, one per group in a random order of the groups and round again (a user who corrects a few
// photos here and there, as the app's suggestion to group again assumes).
import { Rng } from '../core/ml/rng.js';
import type { RunGuide } from '../core/ml/finetune/guidedPartition.js';
import { matchByOverlap } from '../core/service/regroupPlan.js';

export interface SimulatedCorrections {
  /** The user's groups after the moves: every photo, hand-moved ones pinned. */
  guide: RunGuide;
  /** Group of each photo after the moves (what the user sees before grouping again). */
  partition: Int32Array;
  moved: number;
}

/** How many photos the simulated user moves: in each group, or in all. */
export type CorrectionAmount = { perGroup: number } | { total: number };

/** `R` → R per group, `Rt` → R in all (the bench's --corrections values). */
export function parseCorrectionAmount(text: string): CorrectionAmount {
  const m = /^(\d+)(t?)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new Error(`--corrections takes whole numbers from 1, per group (5) or in all (3t); got "${text}"`);
  return m[2] ? { total: Number(m[1]) } : { perGroup: Number(m[1]) };
}

export const correctionLabel = (a: CorrectionAmount): string => ('total' in a ? `${a.total}t` : String(a.perGroup));

/**
 * The kind each group stands for (the one it shares most photos with, best one-to-one match) and back, with each
 * photo's group as a dense slot 0..G-1 — how the simulated user reads a grouping.
 */
export function groupKinds(labels: readonly number[], cluster: ArrayLike<number>) {
  const n = labels.length;
  const groups = [...new Set(Array.from(cluster))].sort((a, b) => a - b);
  const classes = Math.max(...labels) + 1;
  const overlap = groups.map(() => new Array<number>(classes).fill(0));
  const slotOf = new Map(groups.map((g, s) => [g, s]));
  for (let i = 0; i < n; i++) overlap[slotOf.get(cluster[i]!)!]![labels[i]!]! += 1;
  const kindOfSlot = new Map<number, number>();
  const slotOfKind = new Map<number, number>();
  for (const [s, c] of matchByOverlap(overlap)) {
    kindOfSlot.set(s, c);
    slotOfKind.set(c, s);
  }
  const partition = Int32Array.from({ length: n }, (_, i) => slotOf.get(cluster[i]!)!);
  return { groups: groups.length, kindOfSlot, slotOfKind, partition };
}

/** The user's groups as a run's guide: groups numbered 0..G-1 again, as the app's runGuide does (moves can empty a group). */
export function guideFrom(partition: Int32Array, pinned: boolean[]): RunGuide {
  const dense = new Map([...new Set(partition)].sort((a, b) => a - b).map((g, slot) => [g, slot]));
  return { rows: [...partition.keys()], slots: Array.from(partition, (g) => dense.get(g)!), pinned };
}

export function simulateCorrections(labels: readonly number[], cluster: ArrayLike<number>, amount: CorrectionAmount, seed: string): SimulatedCorrections {
  const n = labels.length;
  const { groups: groupCount, kindOfSlot, slotOfKind, partition } = groupKinds(labels, cluster);
  const groups = [...Array(groupCount).keys()];
  const pinned = new Array<boolean>(n).fill(false);
  const rng = new Rng(seed);
  // Each group's misplaced photos in the order the user comes to them.
  const queues = groups.map((_, s) => {
    const kind = kindOfSlot.get(s);
    const misplaced = [...Array(n).keys()].filter((i) => partition[i] === s && labels[i] !== kind && slotOfKind.has(labels[i]!));
    return Array.from(rng.permutation(misplaced.length), (at) => misplaced[at]!);
  });
  const chosen: number[] = [];
  if ('perGroup' in amount) for (const q of queues) chosen.push(...q.slice(0, amount.perGroup));
  else {
    const groupOrder = Array.from(rng.permutation(groups.length));
    for (let round = 0; chosen.length < amount.total && groupOrder.some((s) => queues[s]!.length > round); round++) {
      for (const s of groupOrder) if (chosen.length < amount.total && queues[s]!.length > round) chosen.push(queues[s]![round]!);
    }
  }
  for (const i of chosen) {
    partition[i] = slotOfKind.get(labels[i]!)!;
    pinned[i] = true;
  }
  return { guide: guideFrom(partition, pinned), partition, moved: chosen.length };
}
