import { describe, expect, it } from 'vitest';
import type { JobInfo, JobPhase } from '../../../core/api.js';
import { initialRun, reduceRun, rescanOutcome, rescanSummary, runFromJobs, stageOfPhase, visibleStages, type RunEvent, type RunProgress } from './runProgress.js';

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
    expect(states(run)).toEqual(['running', 'pending']);
    expect(run.finished).toBe(false);
  });

  it('a Re-scan of a grouped library reads, then places the new photos, and ends done — not as a grouping never run', () => {
    const scanResult = { scanned: 62, added: 2, changed: 0, moved: 0, missing: 1, duplicates: 0, failed: 0, errors: [], library: 1, seconds: 1.2, assignedNew: 2 };
    const ev: JobInfo[] = [
      job(30, 'scan', 'queued'),
      job(30, 'scan', 'running', ['find-photos', 0, 0]),
      job(30, 'scan', 'running', ['read-photos', 40, 62]),
      job(30, 'scan', 'running', ['features', 1, 2]),
      job(30, 'scan', 'running', ['assign', 2, 2]),
      job(30, 'scan', 'running', ['name-groups', 0, 1]),
      { ...job(30, 'scan', 'done'), result: scanResult },
    ];
    let run = runFromJobs([job(29, 'cluster', 'done'), job(28, 'scan', 'done')]);
    const seen: string[][] = [];
    const details: Array<string | null> = [];
    for (const j of ev) {
      const before = run;
      run = reduceRun(run, { type: 'job', job: j });
      expect(run.at).toBeGreaterThanOrEqual(j === ev[0] ? 0 : before.at);
      seen.push(states(run));
      details.push(run.stages[run.at]!.detail);
    }
    expect(run.stages.map((s) => s.label)).toEqual(['Reading photos', 'Placing new photos in your groups']);
    expect(seen).toEqual([
      ['queued', 'pending'],
      ['running', 'pending'],
      ['running', 'pending'],
      ['done', 'running'],
      ['done', 'running'],
      ['done', 'running'],
      ['done', 'done'],
    ]);
    expect(details.slice(1, 6)).toEqual([
      'Looking for photos and reading new ones',
      'Looking for photos and reading new ones',
      'Looking at each new photo',
      'Putting each new photo in its group',
      'Suggesting names for the groups again',
    ]);
    expect(run.rescanFinished).toBe(true);
    // A Re-scan is not a grouping: the page must not jump to the groups as when a grouping finishes.
    expect(run.finished).toBe(false);
    expect(run.activeJob).toBeNull();
    expect(run.rescanOutcome).toEqual({ added: 2, placed: 2, missing: 1, failed: 0 });
    expect(rescanSummary(run.rescanOutcome, true)).toBe('Found 2 new photos and placed them in your groups. 1 photo is no longer in the folder.');
    expect(visibleStages(run, true).map((s) => s.key)).toEqual(['read', 'place']);
  });

  it('a Re-scan with nothing to place shows reading alone, and says what it found', () => {
    const result = { scanned: 5, added: 3, changed: 0, moved: 0, missing: 0, duplicates: 0, failed: 1, errors: [{ path: 'x.jpg', reason: 'bad' }], library: 1, seconds: 0.4, assignedNew: 0 };
    const running = runFromJobs([job(4, 'scan', 'running', ['read-photos', 2, 5])]);
    expect(visibleStages(running, false).map((s) => s.key)).toEqual(['read']);
    // In a grouped library the placing stage is still to come while reading.
    expect(visibleStages(running, true).map((s) => [s.key, s.state])).toEqual([
      ['read', 'running'],
      ['place', 'pending'],
    ]);
    const done = runFromJobs([{ ...job(4, 'scan', 'done'), result }]);
    expect(done.rescanFinished).toBe(true);
    for (const grouped of [false, true]) expect(visibleStages(done, grouped).map((s) => [s.key, s.state])).toEqual([['read', 'done']]);
    expect(rescanSummary(done.rescanOutcome, false)).toBe('Found 3 new photos. Group photos to sort them into groups. 1 file could not be read (listed below).');
    expect(rescanSummary(done.rescanOutcome, true)).toBe('Found 3 new photos. They are under “Not in a group”. 1 file could not be read (listed below).');
    expect(rescanSummary({ added: 0, placed: 0, missing: 0, failed: 0 }, true)).toBe('No new photos in the folder.');
    expect(rescanSummary({ added: 3, placed: 1, missing: 0, failed: 0 }, true)).toBe('Found 3 new photos and placed 1 photo in your groups.');
  });

  it('reads a scan result defensively', () => {
    expect(rescanOutcome(null)).toBeNull();
    expect(rescanOutcome({ added: 2, missing: 0, failed: 0 })).toBeNull();
    expect(rescanOutcome({ added: -1, assignedNew: 0, missing: 0, failed: 0 })).toBeNull();
    expect(rescanOutcome({ added: 1.5, assignedNew: 0, missing: 0, failed: 0 })).toBeNull();
    expect(rescanSummary(rescanOutcome('done'), true)).toBeNull();
    const unreadable = runFromJobs([{ ...job(4, 'scan', 'done'), result: { odd: true } }]);
    expect(unreadable.rescanFinished).toBe(true);
    expect(unreadable.rescanOutcome).toBeNull();
  });

  it('a grouping started after a finished Re-scan joins its run and shows the grouping stages', () => {
    const result = { added: 1, assignedNew: 1, missing: 0, failed: 0 };
    const run = runFromJobs([job(41, 'cluster', 'running', ['features', 3, 60]), { ...job(40, 'scan', 'done'), result }]);
    expect(run.jobIds).toEqual([40, 41]);
    expect(run.stages.map((s) => s.key)).toEqual(['read', 'learn', 'sort']);
    expect(states(run)).toEqual(['done', 'running', 'pending']);
    expect(run.rescanFinished).toBe(false);
    expect(run.rescanOutcome).toBeNull();
    expect(visibleStages(run, true)).toHaveLength(3);
  });

  it('a Re-scan that fails while placing stops on the placing stage', () => {
    const run = runFromJobs([job(50, 'scan', 'failed', ['assign', 1, 2])]);
    expect(states(run)).toEqual(['done', 'failed']);
    expect(run.stopped?.id).toBe(50);
    expect(run.rescanFinished).toBe(false);
    expect(visibleStages(run, true).map((s) => s.key)).toEqual(['read', 'place']);
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

  it("leaves a finished grouping as it was while the groups an edit changed are named again", () => {
    const grouped = [job(30, 'scan', 'done', ['read-photos', 4, 4]), job(31, 'cluster', 'done', ['name-groups', 2, 2])];
    const finished = runFromJobs(grouped);
    expect(finished.finished).toBe(true);
    for (const state of ['queued', 'running', 'done'] as const) {
      expect(runFromJobs([...grouped, job(32, 'names', state, ['name-groups', 1, 2])])).toEqual(finished);
    }
  });

  it('names the stage of each phase the core reports', () => {
    expect((['find-photos', 'read-photos'] as const).map(stageOfPhase)).toEqual([0, 0]);
    expect((['features', 'choose-k', 'train', 'start-training'] as const).map(stageOfPhase)).toEqual([1, 1, 1, 1]);
    expect((['assign', 'refill-groups', 'check-groups'] as const).map(stageOfPhase)).toEqual([2, 2, 2]);
  });
});
