/**
 * What a fine-tune run learns from the user: the photos they placed themselves (moved, or kept in Review: both pin
 * the photo, source 'user'), by content hash as the ML worker groups them, with one slot per group.
 */
import type { ClusterGuide } from '../ml/worker/taskTypes.js';
import type { AssignmentSource } from '../store/groups.js';

/** Where a photo is now, as the store's photoPlacements lists it. */
export interface PhotoPlacement {
  hash: string;
  cluster_id: number | null;
  source: AssignmentSource | null;
}

/**
 * The guide for the ML worker, or undefined when the user has placed nothing. A content whose copies the user pinned
 * to different groups is left out: it says both "together" and "apart" with the same photos, so it teaches nothing
 * true. Copies placed by the model do not count against a pinned one. Hashes are in sorted order and slots follow
 * the groups' ids, so the same placements always give the same guide, whatever order the store lists them in.
 */
export function runGuide(placements: readonly PhotoPlacement[]): ClusterGuide | undefined {
  const groupsOf = new Map<string, Set<number>>();
  for (const p of placements) {
    if (p.source !== 'user' || p.cluster_id === null) continue;
    let groups = groupsOf.get(p.hash);
    if (!groups) groupsOf.set(p.hash, (groups = new Set()));
    groups.add(p.cluster_id);
  }
  const pinned = [...groupsOf]
    .filter(([, groups]) => groups.size === 1)
    .map(([hash, groups]) => ({ hash, group: [...groups][0]! }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  if (pinned.length === 0) return undefined;
  const slotOf = new Map([...new Set(pinned.map((p) => p.group))].sort((a, b) => a - b).map((group, slot) => [group, slot]));
  return { hashes: pinned.map((p) => p.hash), slots: pinned.map((p) => slotOf.get(p.group)!) };
}
