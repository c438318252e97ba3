/**
 * The re-grouping rule — the promise that a user's edits survive a new clustering run — as a pure function:
 * the new run's outputs are matched to the existing groups by overlap (Hungarian on the contingency table), so group
 * ids, names and hidden flags carry over; photos the user placed stay where they are; "not this group" is respected.
 */
import { munkres } from 'munkres';
import type { Placement } from '../store/groups.js';

/** Best one-to-one pairs of rows and columns maximising `overlap[r][c]`; pairs with no overlap are dropped. */
export function matchByOverlap(overlap: number[][]): Array<[number, number]> {
  const rows = overlap.length;
  const cols = overlap[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return [];
  const size = Math.max(rows, cols);
  let max = 0;
  for (const row of overlap) for (const v of row) max = Math.max(max, v);
  const cost = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => max - (overlap[r]?.[c] ?? 0)));
  return (munkres(cost) as Array<[number, number]>).filter(([r, c]) => r < rows && c < cols && overlap[r]![c]! > 0);
}

/** Picks the most likely model output whose group the photo was not rejected from; null when none is left. */
export function bestAllowed(probs: Float32Array, offset: number, k: number, groupOf: (index: number) => number | undefined, rejected: ReadonlySet<number> | undefined): { index: number; p: number } | null {
  let best: { index: number; p: number } | null = null;
  for (let i = 0; i < k; i++) {
    const g = groupOf(i);
    if (g === undefined || rejected?.has(g)) continue;
    const p = probs[offset + i]!;
    if (!best || p > best.p) best = { index: i, p };
  }
  return best;
}

/** A photo the run saw, and the group it is in now (null: none). */
export interface OldAssignment {
  photoId: number;
  hash: string;
  clusterId: number | null;
}

/** What the run predicted, one row per distinct content (`hashes[i]`). */
export interface RegroupPredictions {
  hashes: readonly string[];
  k: number;
  /** The most likely output per row. */
  cluster: ArrayLike<number>;
  /** Calibrated confidence of that output per row. */
  confidence: ArrayLike<number>;
  /** Softmax over the k outputs, row after row. */
  probs: Float32Array;
}

export interface RegroupInput {
  /** The library's photos; those whose content the run did not see are left alone. */
  assignments: readonly OldAssignment[];
  predictions: RegroupPredictions;
  /** Photos the user placed or confirmed: they stay where they are. */
  pins: ReadonlySet<number>;
  /** Photo → groups it must not be put in. */
  rejections: ReadonlyMap<number, ReadonlySet<number>>;
  /** Group names in use in the library, so new groups get names of their own. */
  takenNames: Iterable<string>;
}

export interface RegroupPlan {
  /** Model output → the existing group it now feeds; every other existing group feeds none. */
  matched: Map<number, number>;
  /** Outputs with no matching group get a new one, largest first. */
  newGroups: Array<{ output: number; name: string }>;
  /** Every photo the run saw, with its row in the predictions and where it goes. */
  placements: Array<{ photoId: number; row: number; placement: Placement }>;
}

function uniqueGroupName(taken: Set<string>, n: number): string {
  let i = n;
  while (taken.has(`Group ${i}`)) i++;
  const name = `Group ${i}`;
  taken.add(name);
  return name;
}

/**
 * Where each photo goes after a run. Groups the plan leaves without photos are for the writer to remove (a group
 * keeps living while anything of the user's is in it, which the plan cannot see for photos the run did not see).
 */
export function regroupPlan({ assignments, predictions: pred, pins, rejections, takenNames }: RegroupInput): RegroupPlan {
  const rowOfHash = new Map(pred.hashes.map((h, i) => [h, i]));
  const photos = assignments.filter((p) => rowOfHash.has(p.hash));

  // Match new model outputs to existing groups by how many photos they share.
  const oldIds = [...new Set(photos.map((p) => p.clusterId).filter((c): c is number => c !== null))];
  const oldCol = new Map(oldIds.map((id, c) => [id, c]));
  const overlap = Array.from({ length: pred.k }, () => new Array<number>(oldIds.length).fill(0));
  for (const p of photos) {
    if (p.clusterId === null) continue;
    overlap[pred.cluster[rowOfHash.get(p.hash)!]!]![oldCol.get(p.clusterId)!]! += 1;
  }
  const matched = new Map<number, number>();
  for (const [r, c] of matchByOverlap(overlap)) matched.set(r, oldIds[c]!);

  // Outputs with no matching group get new groups, numbered by size so "Group 1" is the largest.
  const sizes = new Array<number>(pred.k).fill(0);
  for (let i = 0; i < pred.cluster.length; i++) sizes[pred.cluster[i]!]! += 1;
  const taken = new Set(takenNames);
  const unmatched = [...Array(pred.k).keys()].filter((i) => !matched.has(i) && sizes[i]! > 0).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const newGroups = unmatched.map((output, n) => ({ output, name: uniqueGroupName(taken, n + 1) }));

  // New groups cannot have been rejected from: any stand-in id that no rejection names will do.
  const groupOf = new Map<number, number>(matched);
  for (const g of newGroups) groupOf.set(g.output, -1 - g.output);
  const placements = photos.map((p): RegroupPlan['placements'][number] => {
    const row = rowOfHash.get(p.hash)!;
    if (pins.has(p.photoId)) return { photoId: p.photoId, row, placement: 'pinned' };
    const choice = bestAllowed(pred.probs, row * pred.k, pred.k, (idx) => groupOf.get(idx), rejections.get(p.photoId));
    if (!choice) return { photoId: p.photoId, row, placement: null };
    return { photoId: p.photoId, row, placement: { output: choice.index, confidence: choice.index === pred.cluster[row] ? pred.confidence[row]! : choice.p } };
  });
  return { matched, newGroups, placements };
}
