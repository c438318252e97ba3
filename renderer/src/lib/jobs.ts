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

/** The job a progress header should show: running first, then queued, then the newest finished one. */
export function currentJob(jobs: readonly JobInfo[]): JobInfo | null {
  return jobs.find((j) => j.state === 'running') ?? jobs.find((j) => j.state === 'queued') ?? jobs[0] ?? null;
}

export function jobKindLabel(kind: JobKind): string {
  return { scan: 'Reading photos', cluster: 'Grouping', export: 'Exporting', names: 'Naming groups' }[kind];
}

/** Jobs that are not part of reading and grouping photos: the Progress page's stages leave them out. */
export function isSideJob(job: Pick<JobInfo, 'kind'>): boolean {
  return job.kind === 'export' || job.kind === 'names';
}
