import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../core/api.js';
import { currentJob, phaseSteps, upsertJob } from './jobs.js';

let nextId = 1;
const job = (kind: JobInfo['kind'], state: JobInfo['state'], phase?: string, id = nextId++): JobInfo => ({
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

const states = (jobs: JobInfo[]) => phaseSteps(jobs).map((s) => `${s.key}:${s.state}`);

describe('job helpers', () => {
  it('upserts job events newest first', () => {
    const a = job('scan', 'running', 'scan', 1);
    const b = job('cluster', 'queued', undefined, 2);
    let list = upsertJob(undefined, a);
    list = upsertJob(list, b);
    list = upsertJob(list, { ...a, state: 'done' });
    expect(list.map((j) => [j.id, j.state])).toEqual([
      [2, 'queued'],
      [1, 'done'],
    ]);
  });

  it('derives phases from a scan then a cluster job working through its phases', () => {
    const scan = job('scan', 'done', 'scan', 10);
    expect(states([scan])).toEqual(['scan:done', 'features:pending', 'train:pending', 'cluster:pending']);
    const training = job('cluster', 'running', 'training', 11);
    expect(states([training, scan])).toEqual(['scan:done', 'features:done', 'train:running', 'cluster:pending']);
    expect(states([{ ...training, state: 'failed', progress: { ...training.progress!, phase: 'features' } }, scan])).toEqual([
      'scan:done',
      'features:failed',
      'train:pending',
      'cluster:pending',
    ]);
    expect(states([{ ...training, state: 'done' }, scan])).toEqual(['scan:done', 'features:done', 'train:done', 'cluster:done']);
  });

  it('lets a newer re-scan show as running and ignores export jobs', () => {
    const old = job('cluster', 'done', 'assign', 20);
    const rescan = job('scan', 'running', 'scan', 21);
    const exp = job('export', 'running', 'copy', 22);
    expect(states([exp, rescan, old])).toEqual(['scan:running', 'features:done', 'train:done', 'cluster:done']);
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
});
