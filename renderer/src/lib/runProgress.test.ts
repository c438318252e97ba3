import { describe, expect, it } from 'vitest';
import type { JobInfo, JobPhase } from '../../../core/api.js';
import { initialRun, reduceRun, runFromJobs, stageOfPhase, type RunEvent, type RunProgress } from './runProgress.js';

const job = (id: number, kind: JobInfo['kind'], state: JobInfo['state'], progress?: [JobPhase, number, number, string?]): JobInfo => ({
  id,
  libraryId: 1,
  kind,
  state,
  progress: progress ? { phase: progress[0], done: progress[1], total: progress[2], etaSeconds: null, message: progress[3] ?? null } : null,
  result: null,
  error: state === 'failed' ? 'boom' : null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
});

/** The events the service sends for "Add folder" on 242 photos trained for 12 epochs of 34 steps, as they arrive. */
function addFolderEvents(scanId: number, clusterId: number): RunEvent[] {
  const photos = 242;
  const epochs = 12;
  const steps = 34;
  const ev: RunEvent[] = [];
  const j = (...a: Parameters<typeof job>) => ev.push({ type: 'job', job: job(...a) });
  j(scanId, 'scan', 'queued');
  j(clusterId, 'cluster', 'queued');
  j(scanId, 'scan', 'running', ['find-photos', 0, 0]);
  for (let d = 0; d <= photos; d += 22) j(scanId, 'scan', 'running', ['read-photos', d, photos]);
  j(scanId, 'scan', 'done');
  j(clusterId, 'cluster', 'running', ['find-photos', 0, 0]);
  j(clusterId, 'cluster', 'running', ['read-photos', photos, photos]);
  for (let d = 0; d <= photos; d += 40) j(clusterId, 'cluster', 'running', ['features', d, photos]);
  j(clusterId, 'cluster', 'running', ['choose-k', 0, 1]);
  j(clusterId, 'cluster', 'running', ['start-training', 0, 1]);
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < steps; s += 10) j(clusterId, 'cluster', 'running', ['train', e * steps + s, epochs * steps, `epoch ${e + 1} of ${epochs}`]);
    ev.push({ type: 'epoch', jobId: clusterId, epochs, epoch: e + 1 });
  }
  for (let d = 0; d <= photos; d += 60) j(clusterId, 'cluster', 'running', ['assign', d, photos]);
  j(clusterId, 'cluster', 'running', ['check-groups', 1, 1]);
  j(clusterId, 'cluster', 'done');
  return ev;
}

const states = (r: RunProgress) => r.stages.map((s) => s.state);

describe('run progress state machine', () => {
  it('replayed at speed: never done early, never backwards, passes counted in epochs not steps', () => {
    const events = addFolderEvents(5, 6);
    let run = initialRun;
    const seen: string[] = [];
    const unitsWhileTraining = new Set<string | null>();
    events.forEach((event, i) => {
      const before = run;
      run = reduceRun(run, event);
      const last = i === events.length - 1;
      expect(run.finished, `event ${i}`).toBe(last);
      if (!last) expect(states(run).every((s) => s === 'done'), `event ${i}`).toBe(false);
      expect(run.at, `event ${i}`).toBeGreaterThanOrEqual(before.at);
      before.stages.forEach((s, k) => {
        if (s.state === 'done') expect(run.stages[k]!.state, `stage ${k} after event ${i}`).toBe('done');
      });
      for (const s of run.stages) {
        if (s.state === 'done' || s.state === 'pending') expect(s.done).toBeNull();
        if (s.done !== null) expect(s.done).toBeLessThanOrEqual(s.total!);
        if (s.detail) seen.push(s.detail);
        if (s.detail?.startsWith('Pass')) unitsWhileTraining.add(s.unit);
      }
      if (run.epoch) expect(run.epoch.of).toBe(12);
    });
    expect(states(run)).toEqual(['done', 'done', 'done']);
    const passes = seen.filter((d) => d.startsWith('Pass'));
    expect(passes[0]).toBe('Pass 1 of 12 over your photos');
    expect(passes.at(-1)).toBe('Pass 12 of 12 over your photos');
    expect(seen.some((d) => /408|of 4\d\d/.test(d))).toBe(false);
    expect(unitsWhileTraining).toEqual(new Set(['steps']));
    expect(seen).toContain('Putting each photo in its group');
  });

  it('a grouping job re-reading photos is not "sorting into groups", and features are "learning"', () => {
    const run = runFromJobs([job(8, 'cluster', 'running', ['read-photos', 242, 242])]);
    expect(states(run)).toEqual(['running', 'pending', 'pending']);
    const learning = runFromJobs([job(8, 'cluster', 'running', ['features', 3, 242])]);
    expect(states(learning)).toEqual(['done', 'running', 'pending']);
    expect(learning.stages[1]!.detail).toBe('Looking at each photo');
  });

  it('a new scan after a finished run starts a new run: nothing after reading counts as done', () => {
    const jobs = [job(11, 'scan', 'running', ['read-photos', 36, 100]), job(10, 'cluster', 'done'), job(9, 'scan', 'done')];
    const run = runFromJobs(jobs);
    expect(run.jobIds).toEqual([11]);
    expect(states(run)).toEqual(['running', 'pending', 'pending']);
    expect(run.finished).toBe(false);
  });

  it('ignores stale events and export jobs, and reports a failure on the stage it happened in', () => {
    let run = runFromJobs([job(20, 'cluster', 'running', ['train', 50, 408, 'epoch 2 of 12'])]);
    run = reduceRun(run, { type: 'job', job: job(19, 'cluster', 'running', ['assign', 1, 2]) });
    run = reduceRun(run, { type: 'job', job: job(21, 'export', 'running', ['export', 1, 2]) });
    expect(states(run)).toEqual(['done', 'running', 'pending']);
    expect(run.stages[1]!.detail).toBe('Pass 2 of 12 over your photos');
    run = reduceRun(run, { type: 'job', job: job(20, 'cluster', 'failed', ['train', 60, 408]) });
    expect(states(run)).toEqual(['done', 'failed', 'pending']);
    expect(run.stopped?.id).toBe(20);
  });

  it('names the stage of each phase the core reports', () => {
    expect((['find-photos', 'read-photos'] as const).map(stageOfPhase)).toEqual([0, 0]);
    expect((['features', 'choose-k', 'train', 'start-training'] as const).map(stageOfPhase)).toEqual([1, 1, 1, 1]);
    expect((['assign', 'refill-groups', 'check-groups'] as const).map(stageOfPhase)).toEqual([2, 2, 2]);
  });
});
