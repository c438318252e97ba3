import { describe, expect, it } from 'vitest';
import type { JobInfo, JobPhase } from '../../../core/api.js';
import { currentJob, isSideJob, jobKindLabel, upsertJob } from './jobs.js';

let nextId = 1;
const job = (kind: JobInfo['kind'], state: JobInfo['state'], phase?: JobPhase, id = nextId++): JobInfo => ({
  id,
  libraryId: 1,
  kind,
  state,
  progress: phase ? { phase, done: 1, total: 2, etaSeconds: 5, message: null } : null,
  result: null,
  error: state === 'failed' ? 'boom' : null,
  createdAt: '2024-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
});


describe('job helpers', () => {
  it('upserts job events newest first', () => {
    const a = job('scan', 'running', 'read-photos', 1);
    const b = job('cluster', 'queued', undefined, 2);
    let list = upsertJob(undefined, a);
    list = upsertJob(list, b);
    list = upsertJob(list, { ...a, state: 'done' });
    expect(list.map((j) => [j.id, j.state])).toEqual([
      [2, 'queued'],
      [1, 'done'],
    ]);
  });

  it('picks the job to headline', () => {
    const done = job('scan', 'done');
    const queued = job('cluster', 'queued');
    const running = job('export', 'running');
    expect(currentJob([queued, done])?.id).toBe(queued.id);
    expect(currentJob([queued, running, done])?.id).toBe(running.id);
    expect(currentJob([done])?.id).toBe(done.id);
    expect(currentJob([])).toBeNull();
  });

  it('says what each kind of job does, and which are not part of reading and grouping', () => {
    expect((['scan', 'cluster', 'export', 'names'] as const).map(jobKindLabel)).toEqual(['Reading photos', 'Grouping', 'Exporting', 'Naming groups']);
    expect((['scan', 'cluster', 'export', 'names'] as const).map((kind) => isSideJob({ kind }))).toEqual([false, false, true, true]);
  });
});
