/** Grouping a library (features and training in the ML worker, then re-grouping), and placing new photos. */
import path from 'node:path';
import { ApiError, type BackendChoice, type KChoice, type Mode } from '../api.js';
import type { AssignTaskPayload, ClusterGuide, ClusterTaskPayload } from '../ml/worker/taskTypes.js';
import { applyNewPhotoPredictions, applyRun } from './applyRun.js';
import { suggestGroupNames } from './groupNames.js';
import { epochsOfJob, recordEpoch } from '../store/trainingEpochs.js';
import type { HandlerDeps } from './jobHandlers.js';
import type { JobContext } from './jobManager.js';
import { countClusters, groupedContentOutputs, libraryContentHashes, libraryRejections, photoPlacements } from '../store/groups.js';
import { currentRun } from '../store/runs.js';
import { correctionsSince, runGuide } from './runGuide.js';
import { photosSinceRun } from '../store/editLog.js';

export interface ClusterJobArgs {
  libraryId: number;
  k: KChoice;
  mode: Mode;
  backbone: string;
  backend: BackendChoice;
  epochs: number | null;
  seed: number;
}

export interface ClusterJobResult {
  runId: number;
  k: number;
  kSuggested: number | null;
  groups: number;
  photos: number;
}

/** Groups the library's photos as they are in the database now (the pipeline scans first). */
export async function groupLibrary(deps: HandlerDeps, ctx: JobContext<unknown>, args: ClusterJobArgs): Promise<ClusterJobResult> {
  const hashes = libraryContentHashes(deps.db, args.libraryId);
  const minimum = args.k === 'auto' ? 4 : Math.max(2, args.k);
  if (hashes.length < minimum) {
    throw new ApiError('conflict', hashes.length === 0 ? 'there are no readable photos in this folder to group' : `only ${hashes.length} distinct photos: at least ${minimum} are needed to make ${args.k === 'auto' ? 'groups' : `${args.k} groups`}`);
  }
  const startedAt = new Date();
  const payload: ClusterTaskPayload = {
    dbPath: deps.paths.dbPath,
    cacheDir: deps.paths.cacheDir,
    modelsDir: deps.paths.modelsDir,
    hashes,
    mode: args.mode,
    k: args.k,
    backbone: args.backbone,
    backend: args.backend,
    epochs: args.epochs,
    seed: args.seed,
    // Keyed by job so that resuming an interrupted job finds its checkpoint.
    runDir: path.join(deps.paths.dataDir, 'runs', `job-${ctx.jobId}`),
    resume: ctx.resumed,
    // Fine-tune learns from the photos the user placed. From scratch has no such step (the paper's network learns
    // from pixels alone), so nothing is sent rather than a guide it would silently ignore.
    guide: args.mode === 'finetune' ? fineTuneGuide(deps, args.libraryId) : undefined,
  };
  const out = await deps.ml.cluster(payload, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p),
    onEpoch: (epochs, stats) => {
      // Recorded as it comes, so the chart of an unfinished run survives a reload (and a resumed job keeps its start).
      recordEpoch(deps.db, ctx.jobId, stats);
      deps.events.emit('trainingEpoch', { jobId: ctx.jobId, libraryId: args.libraryId, epochs, stats });
    },
  });
  ctx.signal.throwIfAborted();
  const runId = applyRun(
    deps.db,
    deps.editLog,
    args.libraryId,
    {
      jobId: ctx.jobId,
      mode: args.mode,
      backbone: args.mode === 'finetune' ? args.backbone : null,
      backend: out.backend,
      kSuggested: out.kSuggested,
      kReasoning: out.kReasoning,
      // The run's config JSON carries the device words so the run summary can name them (no schema change).
      config: { ...out.config, device: out.device },
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      lossHistory: epochsOfJob(deps.db, ctx.jobId),
      modelDir: out.modelDir,
    },
    out,
  );
  deps.events.emit('libraryChanged', { libraryId: args.libraryId, parts: ['library', 'clusters', 'photos', 'history', 'runs'] });
  // After the groups are written and shown: naming them adds seconds, and never fails the run.
  await suggestGroupNames(deps, args.libraryId, ctx, args.mode === 'finetune');
  const groups = countClusters(deps.db, args.libraryId);
  return { runId, k: out.k, kSuggested: out.kSuggested, groups, photos: hashes.length };
}

/** The user's groups for a fine-tune run, with what the user found wrong since the current run where there is one. */
function fineTuneGuide(deps: HandlerDeps, libraryId: number): ClusterGuide | undefined {
  const guide = runGuide(photoPlacements(deps.db, libraryId), new Set(libraryRejections(deps.db, libraryId).keys()));
  const run = currentRun(deps.db, libraryId);
  return guide && run ? { ...guide, corrections: correctionsSince(photosSinceRun(deps.db, libraryId, run.id)) } : guide;
}

/** After a scan: places photos that have no group yet with the current run's model, if there is one. */
export async function assignNewPhotos(deps: HandlerDeps, libraryId: number, ctx: JobContext<unknown>): Promise<number> {
  const run = currentRun(deps.db, libraryId);
  if (!run?.model_dir) return 0;
  const hashes = libraryContentHashes(deps.db, libraryId, { ungroupedOnly: true });
  if (!hashes.length) return 0;
  // The photos already in groups, each with the model output its group stands for: new photos are as sure as their
  // look-alikes among them agree and as k-means started afresh on them keeps them with their group.
  const grouped = groupedContentOutputs(deps.db, libraryId);
  const payload: AssignTaskPayload = {
    dbPath: deps.paths.dbPath,
    cacheDir: deps.paths.cacheDir,
    modelsDir: deps.paths.modelsDir,
    modelDir: run.model_dir,
    hashes,
    backend: 'auto',
    reference: { hashes: grouped.map((g) => g.hash), outputs: grouped.map((g) => g.output) },
  };
  const out = await deps.ml.assign(payload, { signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
  const placed = applyNewPhotoPredictions(deps.db, libraryId, run.id, { ...out });
  deps.events.emit('libraryChanged', { libraryId, parts: ['clusters', 'photos'] });
  // New photos can change which of a group's photos are surest: where enough did, its name is suggested again (seconds,
  // and never a reason for the scan to fail), with a download only where the grouping itself needed one.
  if (placed > 0) await suggestGroupNames(deps, libraryId, ctx, run.mode === 'finetune');
  return placed;
}
