/**
 * One state machine for a run's progress, fed by the service's job events (and its training-epoch events).
 *
 * A run is what the user started: a Re-scan (a scan job) or a grouping (a cluster job, which scans first, reads the
 * photos' features, trains, and sorts the photos into groups). The user sees three stages in plain words, told apart
 * by the typed phases the core reports (JobPhase), never by its progress text. Rules that keep it honest:
 * - a stage is done only once a later stage has started or the whole run finished — never earlier;
 * - within a run no stage goes back from done to running, and the current stage never moves backwards;
 * - an event from a job older than the run is ignored; a job that starts after a finished run starts a new run;
 * - training reports steps (batches); passes over the photos (epochs) are what is shown and charted.
 */
import type { JobInfo, JobPhase, JobState } from '../../../core/api.js';

export type StageKey = 'read' | 'learn' | 'sort';
export type StageState = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export const STAGES: ReadonlyArray<{ key: StageKey; label: string }> = [
  { key: 'read', label: 'Reading photos' },
  { key: 'learn', label: 'Learning what is in them' },
  { key: 'sort', label: 'Sorting into groups' },
];

export interface StageProgress {
  key: StageKey;
  label: string;
  state: StageState;
  /** Progress within the stage, in its own unit; null when the stage is not running or has no count yet. */
  done: number | null;
  total: number | null;
  etaSeconds: number | null;
  /** What the stage is doing now, in plain words ("Looking at each photo", "Pass 3 of 12 over your photos"). */
  detail: string | null;
  /** What done/total count: photos (shown), or training steps (only the percentage is shown; passes are in detail). */
  unit: 'photos' | 'steps' | null;
}

export interface RunProgress {
  /** The jobs that make up the run, oldest first. */
  jobIds: number[];
  /** Index of the stage the run is in (0 before anything happened). */
  at: number;
  stages: StageProgress[];
  /** The grouping job finished: every stage is done. */
  finished: boolean;
  /** A grouping job belongs to the run (a scan alone ends after reading). */
  grouping: boolean;
  /** Training passes: the pass finished last and how many there are; null before training. */
  epoch: { done: number; of: number } | null;
  /** The job that failed, was cancelled or interrupted, if the run stopped that way. */
  stopped: JobInfo | null;
  /** The job to cancel while the run is active. */
  activeJob: JobInfo | null;
}

export type RunEvent = { type: 'job'; job: JobInfo } | { type: 'epoch'; jobId: number; epochs: number; epoch: number };

export const initialRun: RunProgress = {
  jobIds: [],
  at: 0,
  stages: STAGES.map(({ key, label }) => ({ key, label, state: 'pending', done: null, total: null, etaSeconds: null, detail: null, unit: null })),
  finished: false,
  grouping: false,
  epoch: null,
  stopped: null,
  activeJob: null,
};

const STAGE_OF_PHASE: Record<JobPhase, number | null> = {
  'find-photos': 0,
  'read-photos': 0,
  'download-model': 1,
  features: 1,
  'choose-k': 1,
  'start-training': 1,
  train: 1,
  assign: 2,
  'refill-groups': 2,
  'check-groups': 2,
  'name-groups': 2,
  export: null,
};

/** Which stage a grouping job's progress.phase names, or null for a phase that says nothing new. */
export function stageOfPhase(phase: JobPhase): number | null {
  return STAGE_OF_PHASE[phase];
}

/** Training counts steps (only the percentage is shown); one-off steps have no count worth showing. */
const UNIT_OF_PHASE: Record<JobPhase, StageProgress['unit']> = {
  'find-photos': 'photos',
  'read-photos': 'photos',
  'download-model': 'photos',
  features: 'photos',
  'choose-k': null,
  'start-training': 'steps',
  train: 'steps',
  assign: 'photos',
  'refill-groups': null,
  'check-groups': null,
  'name-groups': null,
  export: 'photos',
};

const STOPPED = new Set<JobState>(['failed', 'cancelled', 'interrupted']);

export function reduceRun(run: RunProgress, event: RunEvent): RunProgress {
  if (event.type === 'epoch') {
    if (!run.jobIds.includes(event.jobId)) return run;
    const done = Math.max(run.epoch?.done ?? 0, event.epoch);
    return { ...run, epoch: { done: Math.min(done, event.epochs), of: event.epochs } };
  }
  const { job } = event;
  if (job.kind === 'export') return run;
  const known = run.jobIds.includes(job.id);
  if (!known && run.jobIds.length > 0 && job.id < Math.max(...run.jobIds)) return run; // a stale event
  // A scan always starts a new run; a grouping job joins the run only when that run is a scan still going or done.
  const fresh = !known && run.jobIds.length > 0 && (job.kind === 'scan' || run.grouping || run.finished || run.stopped !== null);
  const base: RunProgress = fresh ? initialRun : run;
  const next: RunProgress = {
    ...base,
    jobIds: known ? base.jobIds : [...base.jobIds, job.id],
    grouping: base.grouping || job.kind !== 'scan',
    stages: base.stages.map((s) => ({ ...s })),
  };
  return job.kind === 'scan' ? applyScan(next, job) : applyGrouping(next, job);
}

function applyScan(run: RunProgress, job: JobInfo): RunProgress {
  const read = run.stages[0]!;
  if (read.state === 'done' && job.state !== 'done') return run; // a grouping job already moved past it
  read.state = job.state === 'done' ? 'done' : job.state;
  setCounts(read, job, job.state === 'running' ? 'Looking for photos and reading new ones' : null);
  return {
    ...run,
    at: Math.max(run.at, 0),
    stopped: STOPPED.has(job.state) ? job : null,
    activeJob: job.state === 'running' || job.state === 'queued' ? job : run.activeJob?.id === job.id ? null : run.activeJob,
  };
}

function applyGrouping(run: RunProgress, job: JobInfo): RunProgress {
  if (job.state === 'done') {
    return {
      ...run,
      at: STAGES.length - 1,
      finished: true,
      stopped: null,
      activeJob: null,
      stages: run.stages.map((s) => ({ ...s, state: 'done', done: null, total: null, etaSeconds: null, detail: null })),
    };
  }
  // Queued behind the scan of the same run: the scan's progress is what is true now.
  if (job.state === 'queued' && run.jobIds.length > 1) return run;
  const named = job.progress ? stageOfPhase(job.progress.phase) : null;
  // The current stage only moves forward. A grouping job re-checking photos the scan just read is waiting to learn.
  const readAlready = run.stages[0]!.state === 'done';
  const at = Math.max(run.at, named ?? 0, readAlready ? 1 : 0);
  const waiting = readAlready && at === 1 && (named === 0 || named === null) && run.stages[1]!.state === 'pending';
  run.stages.forEach((s, i) => {
    if (i === at) return;
    s.state = i < at ? 'done' : 'pending';
    s.done = s.total = s.etaSeconds = null;
    s.detail = null;
  });
  const stage = run.stages[at]!;
  if (waiting && job.state === 'running') {
    stage.state = 'queued';
  } else if (!(named !== null && named < at && job.state === 'running')) {
    stage.state = job.state;
    setCounts(stage, job, job.state === 'running' ? detailOf(job, at, run.epoch) : null);
  }
  return {
    ...run,
    at,
    stopped: STOPPED.has(job.state) ? job : null,
    activeJob: job.state === 'running' || job.state === 'queued' ? job : null,
  };
}

function setCounts(stage: StageProgress, job: JobInfo, detail: string | null): void {
  const p = job.state === 'running' ? job.progress : null;
  stage.done = p && p.total > 0 ? p.done : null;
  stage.total = p && p.total > 0 ? p.total : null;
  stage.etaSeconds = p?.etaSeconds ?? null;
  stage.detail = detail;
  stage.unit = stage.total === null || !p ? null : UNIT_OF_PHASE[p.phase];
}

/** Training passes from a progress message such as "epoch 5 of 12" (steps are never shown as epochs). */
export function epochOfMessage(message: string | null | undefined): { done: number; of: number } | null {
  const m = /epoch (\d+) of (\d+)/i.exec(message ?? '');
  return m ? { done: Number(m[1]), of: Number(m[2]) } : null;
}

function detailOf(job: JobInfo, at: number, epoch: RunProgress['epoch']): string | null {
  const phase = job.progress?.phase;
  if (at === 0) return 'Looking for photos and reading new ones';
  if (at === 1) {
    if (phase === 'train' || phase === 'start-training') {
      const pass = epochOfMessage(job.progress?.message) ?? (epoch ? { done: epoch.done + 1, of: epoch.of } : null);
      return pass ? `Pass ${Math.min(pass.done, pass.of)} of ${pass.of} over your photos` : 'Studying your photos';
    }
    if (phase === 'choose-k') return 'Working out how many groups there are';
    if (phase === 'download-model') return 'Getting the picture-recognition model ready';
    return 'Looking at each photo';
  }
  return 'Putting each photo in its group';
}

/** Folds a newest-first job list (as the query cache keeps it) through the machine. */
export function runFromJobs(jobs: readonly JobInfo[], epochs?: { jobId: number; epochs: number; epoch: number } | null): RunProgress {
  let run = [...jobs].sort((a, b) => a.id - b.id).reduce((r, job) => reduceRun(r, { type: 'job', job }), initialRun);
  if (epochs) run = reduceRun(run, { type: 'epoch', ...epochs });
  return run;
}

export function stageStateLabel(state: StageState): string {
  return { pending: 'not started', queued: 'waiting', running: 'in progress', done: 'done', failed: 'stopped with a problem', cancelled: 'cancelled', interrupted: 'interrupted' }[state];
}
