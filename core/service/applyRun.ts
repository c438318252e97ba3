/**
 * Turns a finished training run into groups without losing what the user did (the rule is `regroupPlan`), and places
 * photos added after a run with its model.
 */
import type { Database } from '../store/db.js';
import type { EpochStats, Mode } from '../api.js';
import type { EditLog } from './edits.js';
import type { ClusterTaskResult } from '../ml/worker/taskTypes.js';
import { clusterNames, groupsByModelOutput, libraryRejections, photoPlacements, placeNewPhoto, ungroupedPhotos, writeRegroup } from '../store/groups.js';
import { upsertEmbedding } from '../store/runs.js';
import { bestAllowed, regroupPlan } from './regroupPlan.js';

/** What the ML worker returns for a run: one row per distinct photo content. */
export type RunPredictions = Pick<ClusterTaskResult, 'hashes' | 'cluster' | 'confidence' | 'embeddingDim' | 'embeddings' | 'probs' | 'k'>;

export interface RunRecord {
  jobId: number | null;
  mode: Mode;
  backbone: string | null;
  backend: string;
  kSuggested: number | null;
  kReasoning: string | null;
  config: Record<string, unknown>;
  startedAt: string;
  seconds: number;
  lossHistory: EpochStats[];
  modelDir: string | null;
}

/** Row `i` of the predictions: the photo's embedding and its softmax over the model's outputs. */
function outputsOf(pred: RunPredictions, i: number): { vector: Float32Array; probs: Float32Array } {
  const D = pred.embeddingDim;
  return { vector: pred.embeddings.subarray(i * D, (i + 1) * D), probs: pred.probs.subarray(i * pred.k, (i + 1) * pred.k) };
}

/** Records the run and re-groups the library in one transaction; returns the new run's id. */
export function applyRun(db: Database, editLog: EditLog, libraryId: number, run: RunRecord, pred: RunPredictions): number {
  return db.transaction(() => {
    const current = photoPlacements(db, libraryId);
    const plan = regroupPlan({
      assignments: current.map((p) => ({ photoId: p.id, hash: p.hash, clusterId: p.cluster_id })),
      predictions: pred,
      pins: new Set(current.filter((p) => p.source === 'user').map((p) => p.id)),
      rejections: libraryRejections(db, libraryId),
      takenNames: clusterNames(db, libraryId),
    });
    const runId = writeRegroup(db, libraryId, {
      run: {
        job_id: run.jobId,
        mode: run.mode,
        backbone: run.backbone,
        backend: run.backend,
        k: pred.k,
        k_suggested: run.kSuggested,
        k_reasoning: run.kReasoning,
        config: JSON.stringify(run.config),
        started_at: run.startedAt,
        seconds: run.seconds,
        loss_history: JSON.stringify(run.lossHistory),
        model_dir: run.modelDir,
      },
      matched: plan.matched,
      newGroups: plan.newGroups,
      photos: plan.placements.map((p) => ({ photoId: p.photoId, placement: p.placement, ...outputsOf(pred, p.row) })),
    });
    editLog.sealForNewRun(libraryId);
    return runId;
  }).immediate();
}

/**
 * Places photos that arrived after the run with the run's model: flagged new, never overriding a user's choice.
 * Returns how many were placed.
 */
export function applyNewPhotoPredictions(db: Database, libraryId: number, runId: number, pred: RunPredictions): number {
  return db.transaction(() => {
    const groupOfIndex = groupsByModelOutput(db, libraryId);
    const indexOfHash = new Map(pred.hashes.map((h, i) => [h, i]));
    const rejected = libraryRejections(db, libraryId);
    let placed = 0;
    for (const p of ungroupedPhotos(db, libraryId)) {
      const i = indexOfHash.get(p.hash);
      if (i === undefined) continue;
      const { vector, probs } = outputsOf(pred, i);
      upsertEmbedding(db, p.id, runId, vector, probs);
      const choice = bestAllowed(pred.probs, i * pred.k, pred.k, (idx) => groupOfIndex.get(idx), rejected.get(p.id));
      if (!choice) continue;
      placeNewPhoto(db, p.id, groupOfIndex.get(choice.index)!, choice.index === pred.cluster[i] ? pred.confidence[i]! : choice.p, runId);
      placed++;
    }
    return placed;
  }).immediate();
}
