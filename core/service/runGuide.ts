/**
 * What a fine-tune run learns from the user (guidedPartition.ts): the library's groups as they are now, by content
 * hash as the ML worker groups photos, with the photos the user placed themselves marked — moved by hand, or kept in
 * Review (both pin the photo, source 'user').
 */
import type { ClusterGuide } from '../ml/worker/taskTypes.js';
import { correctionEvidence, type CorrectionEvidence } from '../ml/finetune/correctedDoubt.js';
import type { PhotoSinceRun } from '../store/editLog.js';
import type { AssignmentSource } from '../store/groups.js';

/** Where a photo is now, as the store's photoPlacements lists it. */
export interface PhotoPlacement {
  id: number;
  hash: string;
  cluster_id: number | null;
  source: AssignmentSource | null;
}

/**
 * The guide for the ML worker, or undefined when the user has placed nothing by hand.
 *
 * Per content (copies of one photo are one row for the run):
 * - pinned to one group: placed by hand there;
 * - pinned to two groups: left out — it says "together" and "apart" with the same photo, so it teaches nothing true;
 * - otherwise in the group most of its copies are in (ties: the lower group id), not placed by hand.
 * A photo the user said is not in a group was moved by the app to its next likeliest group and pinned there; that
 * group was the app's choice, not the user's, so such a photo (`rejected`) counts as not placed by hand.
 * Hashes are sorted and slots follow the groups' ids, so the same placements always give the same guide.
 */
export function runGuide(placements: readonly PhotoPlacement[], rejected: ReadonlySet<number> = new Set()): ClusterGuide | undefined {
  const byHash = new Map<string, { pinnedTo: Set<number>; groups: Map<number, number> }>();
  for (const p of placements) {
    if (p.cluster_id === null) continue;
    let entry = byHash.get(p.hash);
    if (!entry) byHash.set(p.hash, (entry = { pinnedTo: new Set(), groups: new Map() }));
    entry.groups.set(p.cluster_id, (entry.groups.get(p.cluster_id) ?? 0) + 1);
    if (p.source === 'user' && !rejected.has(p.id)) entry.pinnedTo.add(p.cluster_id);
  }
  const rows: Array<{ hash: string; group: number; pinned: boolean }> = [];
  for (const [hash, { pinnedTo, groups }] of byHash) {
    if (pinnedTo.size > 1) continue;
    if (pinnedTo.size === 1) {
      rows.push({ hash, group: [...pinnedTo][0]!, pinned: true });
      continue;
    }
    const [group] = [...groups].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    rows.push({ hash, group, pinned: false });
  }
  if (!rows.some((r) => r.pinned)) return undefined;
  rows.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const slotOf = new Map([...new Set(rows.map((r) => r.group))].sort((a, b) => a - b).map((group, slot) => [group, slot]));
  return { hashes: rows.map((r) => r.hash), slots: rows.map((r) => slotOf.get(r.group)!), pinned: rows.map((r) => r.pinned) };
}

/**
 * What the user's edits since the current run say of its mistakes (correctedDoubt.ts): a photo it placed that the user
 * moved elsewhere or marked "not this group" was one of them found; one the user kept where it was is neither found
 * nor left alone.
 */
export function correctionsSince(photos: readonly PhotoSinceRun[]): CorrectionEvidence {
  return correctionEvidence(photos.map((p) => ({ confidence: p.confidence, handled: p.foundWrong ? 'found-wrong' : p.pinned ? 'kept' : 'untouched' })));
}
