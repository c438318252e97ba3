/**
 * The user's placements (ClusterGuide, by content hash) as the training takes them: rows of the photos the run can
 * use. Kept apart from tasks.ts so that the mapping is tested without loading a backend or training.
 */
import type { ClusterGuide } from './taskTypes.js';
import { evidenceCounts, isCorrectionEvidence, type CorrectionEvidence } from '../finetune/correctedDoubt.js';

export interface GuideRows {
  /** Index into the run's `ids` (the usable hashes). */
  rows: number[];
  /** 0..G-1, dense: one slot per group that still has a usable photo. */
  slots: number[];
  /** Placed by hand. */
  pinned: boolean[];
  /** What the user found wrong since the last grouping, as the service counted it. */
  corrections?: CorrectionEvidence;
}

/**
 * The worker cannot rely on the service's types (the payload crossed a process boundary), and a malformed guide would
 * teach the network wrong pairs without any visible error, so it is refused instead.
 */
function checkGuide(guide: ClusterGuide): void {
  const bad = (why: string) => new Error(`the photos placed by hand were sent to the ML worker malformed: ${why}`);
  if (!Array.isArray(guide.hashes) || !Array.isArray(guide.slots) || !Array.isArray(guide.pinned)) throw bad('hashes, slots and pinned must be lists');
  if (guide.hashes.length !== guide.slots.length) throw bad(`${guide.hashes.length} hashes but ${guide.slots.length} slots`);
  if (guide.pinned.length !== guide.hashes.length) throw bad(`${guide.hashes.length} hashes but ${guide.pinned.length} pinned flags`);
  if (!guide.pinned.every((p) => typeof p === 'boolean')) throw bad('a pinned flag is not true or false');
  if (!guide.hashes.every((h) => typeof h === 'string')) throw bad('a hash is not text');
  if (!guide.slots.every((s) => Number.isSafeInteger(s) && s >= 0)) throw bad('a slot is not a whole number from 0');
  if (new Set(guide.hashes).size !== guide.hashes.length) throw bad('a hash appears twice');
  if (guide.corrections !== undefined && !isCorrectionEvidence(guide.corrections)) throw bad('the count of corrections is not five numbers from 0');
}

/**
 * Maps the guide's hashes to rows of `usable`. A placed photo whose cached pixels are gone is not in `usable` and is
 * left out; a group left with no usable photo then has no slot, and the slots are numbered again in their order so
 * that they stay 0..G-1. Undefined when there is no guide or none of its hand-placed photos is usable.
 */
export function guideRows(usable: readonly string[], guide: ClusterGuide | undefined): GuideRows | undefined {
  if (!guide) return undefined;
  checkGuide(guide);
  const rowOf = new Map(usable.map((hash, row) => [hash, row]));
  const rows: number[] = [];
  const kept: number[] = [];
  const pinned: boolean[] = [];
  guide.hashes.forEach((hash, i) => {
    const row = rowOf.get(hash);
    if (row === undefined) return;
    rows.push(row);
    kept.push(guide.slots[i]!);
    pinned.push(guide.pinned[i]!);
  });
  // Nothing placed by hand is left to learn from: the run is an ordinary one.
  if (!pinned.some(Boolean)) return undefined;
  const dense = new Map([...new Set(kept)].sort((a, b) => a - b).map((slot, i) => [slot, i]));
  const corrections = guide.corrections && evidenceCounts(guide.corrections);
  return { rows, slots: kept.map((slot) => dense.get(slot)!), pinned, ...(corrections ? { corrections } : {}) };
}
