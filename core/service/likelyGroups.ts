/**
 * Where else a photo could be: the library's groups ranked by the current grouping's model for that photo (its
 * softmax over the run's outputs, each output feeding one group). "Not this group" sends a photo to the first of them,
 * and Review offers them first, so one key moves a photo the grouping got wrong to its home far more often than the
 * biggest-first order did: among the unsure photos placed outside their kind's group, their kind's group comes first
 * for 50–53 % on 1,341 clothing photos grouped by default (8–9 groups) against 11–19 %, and among the first three for
 * 80–87 % against 48–64 % (bench/finetune.ts `reviewTargets`, three seeds; README "Edits and re-grouping").
 */
import type { Database } from '../store/db.js';
import { groupsByModelOutput, groupsRejectedBy } from '../store/groups.js';
import { embeddingProbs } from '../store/runs.js';
import { decodeFloat32 } from '../store/vectors.js';

/**
 * The groups the model scored for `photoId`, likeliest first, leaving out those the user said it is not in and
 * `exclude` (its own group, usually). Empty when the current run has no scores for the photo; groups no model output
 * feeds (made by hand or by a split) are not listed. `byModelOutput` (groupsByModelOutput) may be passed in by a
 * caller ranking many photos.
 */
export function likelyGroups(db: Database, libraryId: number, photoId: number, exclude: number | null = null, byModelOutput = groupsByModelOutput(db, libraryId)): Array<{ clusterId: number; p: number }> {
  const blob = embeddingProbs(db, photoId);
  if (!blob) return [];
  const rejected = new Set(groupsRejectedBy(db, photoId));
  const out: Array<{ clusterId: number; p: number }> = [];
  decodeFloat32(blob).forEach((p, index) => {
    const clusterId = byModelOutput.get(index);
    if (clusterId === undefined || clusterId === exclude || rejected.has(clusterId)) return;
    out.push({ clusterId, p });
  });
  // Stable: equal scores keep the run's output order.
  return out.sort((a, b) => b.p - a.p);
}
