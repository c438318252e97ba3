/**
 * One state machine for a run's progress, fed by the service's job events (and its training-epoch events).
 *
 * A run is what the user started: a Re-scan (a scan job, which reads the folder and places photos new to a grouped
 * library in its groups) or a grouping (a cluster job, which scans first, reads the photos' features, trains, and
 * sorts the photos into groups). The user sees a grouping's three stages, or a Re-scan's two, in plain words, told
 * apart by the typed phases the core reports (JobPhase), never by its progress text. Rules that keep it honest:
 * - a stage is done only once a later stage has started or the whole run finished — never earlier;
 * - within a run no stage goes back from done to running, and the current stage never moves backwards;
 * - an event from a job older than the run is ignored; a job that starts after a finished run starts a new run;
 * - training reports steps (batches); passes over the photos (epochs) are what is shown and charted.
 */
import type { JobInfo, JobPhase, JobState } from '../../../core/api.js';
import { plural } from './format.js';
import { isSideJob } from './jobs.js';

export type StageKey = 'read' | 'learn' | 'sort' | 'place';
export type StageState = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export const STAGES: ReadonlyArray<{ key: StageKey; label: string }> = [
  { key: 'read', label: 'Reading photos' },
  { key: 'learn', label: 'Learning what is in them' },
  { key: 'sort', label: 'Sorting into groups' },
];

/**
 * A Re-scan's stages. Its second stage runs only in a library that has groups (the saved grouping places the new
 * photos); a Re-scan of a library never grouped has nothing after reading, and there it is not shown at all.
 */
export const RESCAN_STAGES: ReadonlyArray<{ key: StageKey; label: string }> = [
  { key: 'read', label: 'Reading photos' },
  { key: 'place', label: 'Placing new photos in your groups' },
];

/** What a finished Re-scan did, from its job's result (the core's ScanJobResult, read defensively). */
export interface RescanOutcome {
  /** Photos new to the library (or back after having been missing). */
  added: number;
  /** Of the photos not in a group, those the saved grouping placed in one. */
  placed: number;
  missing: number;
  failed: number;
}

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
  /** The grouping job finished: every stage is done. (A Re-scan's end is `rescanFinished`.) */
  finished: boolean;
  /** A Re-scan (a run without a grouping job) whose scan job finished. */
  rescanFinished: boolean;
  /** What that Re-scan did; null before it finished or where its result cannot be read. */
  rescanOutcome: RescanOutcome | null;
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

const freshStages = (list: typeof STAGES): StageProgress[] => list.map(({ key, label }) => ({ key, label, state: 'pending', done: null, total: null, etaSeconds: null, detail: null, unit: null }));

export const initialRun: RunProgress = {
  jobIds: [],
  at: 0,
  stages: freshStages(STAGES),
  finished: false,
  rescanFinished: false,
  rescanOutcome: null,
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
  if (isSideJob(job)) return run;
  const known = run.jobIds.includes(job.id);
  if (!known && run.jobIds.length > 0 && job.id < Math.max(...run.jobIds)) return run; // a stale event
  // A scan always starts a new run; a grouping job joins the run only when that run is a scan still going or done.
  const fresh = !known && run.jobIds.length > 0 && (job.kind === 'scan' || run.grouping || run.finished || run.stopped !== null);
  const base: RunProgress = fresh ? initialRun : run;
  const grouping = base.grouping || job.kind !== 'scan';
  // A run is a Re-scan until a grouping job joins it; then it shows the grouping's stages, reading carried over.
  const joining = grouping && !base.grouping;
  const stages = joining ? [base.stages[0]!, ...freshStages(STAGES).slice(1)] : !grouping && base.jobIds.length === 0 ? freshStages(RESCAN_STAGES) : base.stages;
  const next: RunProgress = {
    ...base,
    jobIds: known ? base.jobIds : [...base.jobIds, job.id],
    grouping,
    ...(joining ? { at: 0, rescanFinished: false, rescanOutcome: null } : {}),
    stages: stages.map((s) => ({ ...s })),
  };
  if (job.kind !== 'scan') return applyGrouping(next, job);
  return next.grouping ? applyScan(next, job) : applyRescan(next, job);
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

/**
 * A Re-scan on its own: reading, then (in a grouped library) placing the new photos, which the core reports as the
 * grouping's later phases (features, assign, name-groups). Never backwards; done when the scan job is.
 */
function applyRescan(run: RunProgress, job: JobInfo): RunProgress {
  const [read, place] = run.stages as [StageProgress, StageProgress];
  const named = job.progress ? stageOfPhase(job.progress.phase) : null;
  // A stopped job keeps the phase it stopped in, so the stage that failed is the one shown as failed.
  const at = Math.max(run.at, named !== null && named > 0 ? 1 : 0);
  if (job.state === 'done') {
    const outcome = rescanOutcome(job.result);
    // Placing happened if it was seen running, or (a job list read after the fact) if the result says photos were placed.
    const placed = place.state !== 'pending' || (outcome?.placed ?? 0) > 0;
    for (const s of run.stages) {
      if (s === read || placed) s.state = 'done';
      clearCounts(s);
    }
    return { ...run, at: placed ? 1 : run.at, stopped: null, activeJob: null, rescanFinished: true, rescanOutcome: outcome };
  }
  const stage = at === 0 ? read : place;
  if (at === 1) {
    read.state = 'done';
    clearCounts(read);
  }
  stage.state = job.state;
  setCounts(stage, job, job.state !== 'running' ? null : at === 0 ? 'Looking for photos and reading new ones' : placeDetail(job.progress?.phase));
  return {
    ...run,
    at,
    stopped: STOPPED.has(job.state) ? job : null,
    activeJob: job.state === 'running' || job.state === 'queued' ? job : null,
  };
}

function placeDetail(phase: JobPhase | undefined): string {
  if (phase === 'download-model') return 'Getting the picture-recognition model ready';
  if (phase === 'features') return 'Looking at each new photo';
  if (phase === 'name-groups') return 'Suggesting names for the groups again';
  return 'Putting each new photo in its group';
}

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** A finished scan job's result as a RescanOutcome; null where it is not one (an older job, or no result stored). */
export function rescanOutcome(result: unknown): RescanOutcome | null {
  if (typeof result !== 'object' || result === null) return null;
  const r = result as Record<string, unknown>;
  const added = count(r.added);
  const placed = count(r.assignedNew);
  const missing = count(r.missing);
  const failed = count(r.failed);
  if (added === null || placed === null || missing === null || failed === null) return null;
  return { added, placed, missing, failed };
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
    clearCounts(s);
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

/** A stage that is not running shows no counts and no detail. */
function clearCounts(stage: StageProgress): void {
  stage.done = stage.total = stage.etaSeconds = null;
  stage.detail = null;
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

/** The stages a run shows: a Re-scan's "placing" stage only where it ran or, in a grouped library, still may. */
export function visibleStages(run: RunProgress, libraryGrouped: boolean): StageProgress[] {
  if (run.grouping) return run.stages;
  return run.stages.filter((s) => s.key !== 'place' || s.state !== 'pending' || (libraryGrouped && !run.rescanFinished && run.stopped === null));
}

/** What a finished Re-scan did, in a sentence or two; null where its result cannot be read. */
export function rescanSummary(outcome: RescanOutcome | null, libraryGrouped: boolean): string | null {
  if (!outcome) return null;
  const { added, placed, missing, failed } = outcome;
  const parts: string[] = [];
  if (added === 0) parts.push('No new photos in the folder.');
  else if (placed > 0) parts.push(`Found ${plural(added, 'new photo')} and placed ${placed === added ? (added === 1 ? 'it' : 'them') : plural(placed, 'photo')} in your groups.`);
  else parts.push(`Found ${plural(added, 'new photo')}. ${libraryGrouped ? 'They are under “Not in a group”.' : 'Group photos to sort them into groups.'}`);
  if (missing > 0) parts.push(`${plural(missing, 'photo is', 'photos are')} no longer in the folder.`);
  if (failed > 0) parts.push(`${plural(failed, 'file')} could not be read (listed below).`);
  return parts.join(' ');
}
