import type { JobInfo, JobKind } from '../../../core/api.js';

export const ACTIVE_STATES = new Set<JobInfo['state']>(['queued', 'running']);

export function isActive(job: JobInfo): boolean {
  return ACTIVE_STATES.has(job.state);
}

/** Puts a job event into a newest-first job list (replacing the older copy of the same job). */
export function upsertJob(list: readonly JobInfo[] | undefined, job: JobInfo): JobInfo[] {
  const out = (list ?? []).filter((j) => j.id !== job.id);
  out.push(job);
  out.sort((a, b) => b.id - a.id);
  return out;
}

export type PhaseKey = 'scan' | 'features' | 'train' | 'cluster';
export type PhaseState = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface PhaseStep {
  key: PhaseKey;
  label: string;
  state: PhaseState;
  job: JobInfo | null;
}

export const PHASES: ReadonlyArray<{ key: PhaseKey; label: string }> = [
  { key: 'scan', label: 'Scan photos' },
  { key: 'features', label: 'Extract features' },
  { key: 'train', label: 'Train the model' },
  { key: 'cluster', label: 'Group photos' },
];

/** Which phase a job's progress.phase names ("features", "training", "assign" …), if any. */
export function phaseOf(job: JobInfo): PhaseKey {
  const p = (job.progress?.phase ?? '').toLowerCase();
  if (job.kind === 'cluster' || job.kind === 'train' || job.kind === 'features') {
    if (p.includes('scan')) return 'scan';
    if (p.includes('feature') || p.includes('embed') || p.includes('backbone') || p.includes('download')) return 'features';
    if (p.includes('train') || p.includes('epoch')) return 'train';
    if (p) return job.kind === 'cluster' ? 'cluster' : job.kind;
  }
  return job.kind === 'export' ? 'cluster' : job.kind;
}

/**
 * The pipeline's phases as the latest jobs left them (jobs newest first). A cluster job may run the earlier phases
 * itself: its progress.phase says which one it is in, and the phases before that one count as done.
 */
export function phaseSteps(jobs: readonly JobInfo[]): PhaseStep[] {
  const steps: PhaseStep[] = PHASES.map(({ key, label }) => ({ key, label, state: 'pending', job: null }));
  const oldestFirst = jobs.filter((j) => j.kind !== 'export').reverse();
  for (const job of oldestFirst) {
    if (job.kind !== 'cluster') {
      const step = steps.find((s) => s.key === job.kind)!;
      step.state = job.state;
      step.job = job;
      continue;
    }
    const at = job.state === 'done' ? steps.length - 1 : steps.findIndex((s) => s.key === phaseOf(job));
    steps.forEach((s, i) => {
      if (i < at) {
        s.state = 'done';
      } else if (i === at) {
        s.state = job.state;
        s.job = job;
      } else {
        s.state = 'pending';
        s.job = null;
      }
    });
  }
  return steps;
}

/** The job a progress header should show: running first, then queued, then the newest finished one. */
export function currentJob(jobs: readonly JobInfo[]): JobInfo | null {
  return jobs.find((j) => j.state === 'running') ?? jobs.find((j) => j.state === 'queued') ?? jobs[0] ?? null;
}

export function jobKindLabel(kind: JobKind): string {
  return { scan: 'Scanning', features: 'Extracting features', train: 'Training', cluster: 'Grouping', export: 'Exporting' }[kind];
}
