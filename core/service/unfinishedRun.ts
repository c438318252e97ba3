import type { EpochStats, JobInfo, RunInfo } from '../api.js';
import type { ClusterJobArgs } from './clusterJob.js';

/**
 * The run a grouping job is training now, as listRuns shows it: a run is only recorded when its job finishes, but the
 * loss chart must come back after a reload mid-training. It has id 0 (no record yet), and k 0 while the number of
 * groups is still to be chosen.
 */
export function unfinishedRun(job: JobInfo, args: ClusterJobArgs, lossHistory: EpochStats[]): RunInfo {
  return {
    id: 0,
    libraryId: args.libraryId,
    mode: args.mode,
    backbone: args.mode === 'finetune' ? args.backbone : null,
    backend: args.backend,
    device: null,
    k: args.k === 'auto' ? 0 : args.k,
    kSuggested: null,
    kReasoning: null,
    partitionNote: null,
    groupsFrom: null,
    // What the run learns from is reported when it ends.
    learnedFrom: null,
    config: { jobId: job.id },
    startedAt: job.startedAt ?? job.createdAt,
    finishedAt: null,
    seconds: null,
    lossHistory,
    isCurrent: false,
  };
}
