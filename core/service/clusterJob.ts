/** The cluster job: scan, then (in the ML worker) features and training, then re-group the library. */
import path from 'node:path';
import { ApiError, type BackendChoice, type EpochStats, type KChoice, type Mode } from '../api.js';
import type { AssignTaskPayload, AssignTaskResult, ClusterTaskPayload, ClusterTaskResult } from '../ml/taskTypes.js';
import { applyNewPhotoPredictions, applyRun } from './applyRun.js';
import type { HandlerDeps } from './jobHandlers.js';
import { scanPhase } from './jobHandlers.js';
import type { JobContext } from './jobs.js';
import { countClusters, groupedContentOutputs, libraryContentHashes } from '../store/groups.js';
import { currentRun } from '../store/runs.js';

export interface ClusterJobArgs {
  libraryId: number;
  k: KChoice;
  mode: Mode;
  backbone: string;
  backend: BackendChoice;
  epochs: number | null;
  seed: number;
}

export async function runClusterJob(deps: HandlerDeps, ctx: JobContext<ClusterJobArgs>): Promise<{ runId: number; k: number; kSuggested: number | null; groups: number; photos: number }> {
  const { args } = ctx;
  await scanPhase(deps, args.libraryId, ctx);
  const hashes = libraryContentHashes(deps.db, args.libraryId);
  const minimum = args.k === 'auto' ? 4 : Math.max(2, args.k);
  if (hashes.length < minimum) {
    throw new ApiError('conflict', hashes.length === 0 ? 'there are no readable photos in this folder to group' : `only ${hashes.length} distinct photos: at least ${minimum} are needed to make ${args.k === 'auto' ? 'groups' : `${args.k} groups`}`);
  }
  const startedAt = new Date();
  const lossHistory: EpochStats[] = [];
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
  };
  const out = await deps.ml.run<ClusterTaskResult>('cluster', payload, {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p),
    onEpoch: (epochs, stats) => {
      lossHistory.push(stats);
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
      lossHistory,
      modelDir: out.modelDir,
    },
    out,
  );
  deps.events.emit('libraryChanged', { libraryId: args.libraryId, parts: ['library', 'clusters', 'photos', 'history', 'runs'] });
  const groups = countClusters(deps.db, args.libraryId);
  return { runId, k: out.k, kSuggested: out.kSuggested, groups, photos: hashes.length };
}

/** After a scan: places photos that have no group yet with the current run's model, if there is one. */
export async function assignNewPhotos(deps: HandlerDeps, libraryId: number, ctx: JobContext<unknown>): Promise<number> {
  const run = currentRun(deps.db, libraryId);
  if (!run?.model_dir) return 0;
  const hashes = libraryContentHashes(deps.db, libraryId, { ungroupedOnly: true });
  if (!hashes.length) return 0;
  // The photos already in groups, each with the model output its group stands for: new photos are as sure as their
  // look-alikes among them agree.
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
  const out = await deps.ml.run<AssignTaskResult>('assign', payload, { signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
  const placed = applyNewPhotoPredictions(deps.db, libraryId, run.id, { ...out });
  deps.events.emit('libraryChanged', { libraryId, parts: ['clusters', 'photos'] });
  return placed;
}
