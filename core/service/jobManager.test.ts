import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JobInfo } from '../api.js';
import { openDatabase, type Database } from '../store/db.js';
import { EventBus, throttle } from './events.js';
import { JobCancelled, JobManager, type JobHandler } from './jobManager.js';
import { sqlRun } from '../store/testing.js';
import { processStart } from '../processIdentity.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handler that counts to `steps`, reporting progress, and honours cancellation between steps. */
function counting(lane: 'main' | 'export', log: string[]): JobHandler<{ steps: number; name: string; fail?: boolean }, { counted: number }> {
  return {
    lane,
    args: z.object({ steps: z.number(), name: z.string(), fail: z.boolean().optional() }),
    async run(ctx) {
      log.push(`start ${ctx.args.name}${ctx.resumed ? ' (resumed)' : ''}`);
      for (let i = 1; i <= ctx.args.steps; i++) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        await sleep(2);
        ctx.progress({ phase: 'train', done: i, total: ctx.args.steps });
      }
      if (ctx.args.fail) throw new Error(`${ctx.args.name} broke`);
      log.push(`end ${ctx.args.name}`);
      return { counted: ctx.args.steps };
    },
  };
}

describe('JobManager', () => {
  let dir: string;
  let db: Database;
  let events: EventBus;
  let seen: JobInfo[];
  let log: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-jobs-'));
    db = openDatabase(path.join(dir, 'test.db'));
    events = new EventBus();
    seen = [];
    log = [];
    events.on('job', (j) => seen.push(j));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const manager = () => new JobManager(db, events, { scan: counting('main', log), cluster: counting('main', log), export: counting('export', log) });

  it('runs one main-lane job at a time, exports alongside, and persists results', async () => {
    const jobs = manager();
    const a = jobs.enqueue('scan', null, { steps: 20, name: 'a' });
    const b = jobs.enqueue('cluster', null, { steps: 5, name: 'b' });
    const c = jobs.enqueue('export', null, { steps: 5, name: 'c' });
    const [da, db_, dc] = await Promise.all([jobs.wait(a.id), jobs.wait(b.id), jobs.wait(c.id)]);
    expect([da.state, db_.state, dc.state]).toEqual(['done', 'done', 'done']);
    expect(da.result).toEqual({ counted: 20 });
    // b waited for a (same lane); c did not wait for a.
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('end c')).toBeLessThan(log.indexOf('end a'));
    expect(jobs.get(a.id).progress).toMatchObject({ phase: 'train', done: 20, total: 20, etaSeconds: 0 });
    expect(jobs.list().map((j) => j.id)).toEqual([c.id, b.id, a.id]);
  });

  it('sends at most ~10 progress events a second per job, and always the final state', async () => {
    const jobs = manager();
    const started = Date.now();
    const job = jobs.enqueue('scan', null, { steps: 300, name: 'long' });
    await jobs.wait(job.id);
    const seconds = (Date.now() - started) / 1000;
    const running = seen.filter((j) => j.id === job.id && j.state === 'running' && j.progress);
    expect(running.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    expect(running.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ id: job.id, state: 'done' });
  });

  it('cancels queued and running jobs; a failure is recorded with its reason', async () => {
    const jobs = manager();
    const running = jobs.enqueue('scan', null, { steps: 10_000, name: 'r' });
    const queued = jobs.enqueue('scan', null, { steps: 5, name: 'q' });
    expect(jobs.cancel(queued.id).state).toBe('cancelled');
    await sleep(20);
    jobs.cancel(running.id);
    expect((await jobs.wait(running.id)).state).toBe('cancelled');
    expect(log).not.toContain('start q');
    const failing = jobs.enqueue('scan', null, { steps: 1, name: 'f', fail: true });
    expect(await jobs.wait(failing.id)).toMatchObject({ state: 'failed', error: 'f broke' });
  });

  it('marks jobs of a dead process interrupted and resumes them with the same arguments', async () => {
    const first = manager();
    const job = first.enqueue('cluster', null, { steps: 10_000, name: 'x' });
    await sleep(20);
    // A new manager on the same database is what a restart after a crash looks like.
    const second = manager();
    expect(second.get(job.id)).toMatchObject({ state: 'interrupted', error: 'PhotoCluster stopped before the job finished' });
    await first.shutdown();
    sqlRun(db, `UPDATE jobs SET args = ? WHERE id = ?`, JSON.stringify({ steps: 3, name: 'x' }), job.id);
    expect(second.resume(job.id).state).toBe('queued');
    expect(await second.wait(job.id)).toMatchObject({ state: 'done', result: { counted: 3 } });
    expect(log).toContain('start x (resumed)');
    expect(() => second.resume(job.id)).toThrow(/only interrupted, failed or cancelled/);
  });

  it("leaves another live process's jobs to it, and interrupts those of a process that is gone", async () => {
    const first = manager();
    const theirs = first.enqueue('cluster', null, { steps: 5, name: 'theirs' });
    const gone = first.enqueue('cluster', null, { steps: 5, name: 'gone' });
    await first.shutdown();
    // Another process sharing the database (this test's parent runs on) queued one; a process that has exited, the other.
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    sqlRun(db, `UPDATE jobs SET state = 'queued', owner_pid = ?, owner_start = ? WHERE id = ?`, process.ppid, processStart(process.ppid), theirs.id);
    sqlRun(db, `UPDATE jobs SET state = 'running', owner_pid = ?, owner_start = NULL WHERE id = ?`, Number(exited.stdout), gone.id);

    const second = manager();
    expect(second.get(gone.id)).toMatchObject({ state: 'interrupted', error: 'PhotoCluster stopped before the job finished' });
    // Theirs stays queued, and this manager does not run it, though its own next job runs.
    const mine = second.enqueue('scan', null, { steps: 2, name: 'mine' });
    expect((await second.wait(mine.id)).state).toBe('done');
    expect(second.get(theirs.id).state).toBe('queued');
    expect(log).not.toContain('start theirs');
    // Resumed here, a job becomes this process's to run.
    second.resume(gone.id);
    expect((await second.wait(gone.id)).state).toBe('done');
    await second.shutdown();
  });

  it('checks stored arguments before a resumed job runs: ones that no longer fit fail it with the reason', async () => {
    const first = manager();
    const job = first.enqueue('cluster', null, { steps: 10_000, name: 'x' });
    await sleep(20);
    await first.shutdown();
    sqlRun(db, `UPDATE jobs SET args = ? WHERE id = ?`, JSON.stringify({ steps: 'many', name: 'x' }), job.id);
    const second = manager();
    second.resume(job.id);
    expect(await second.wait(job.id)).toMatchObject({ state: 'failed', error: expect.stringMatching(/saved settings are not valid any more .*steps/) });
    expect(log).not.toContain('start x (resumed)');
    // The lane it would have used is free for the next job.
    const next = second.enqueue('cluster', null, { steps: 1, name: 'next' });
    expect((await second.wait(next.id)).state).toBe('done');
  });

  it('shutdown records running jobs as interrupted', async () => {
    const jobs = manager();
    const job = jobs.enqueue('scan', null, { steps: 10_000, name: 's' });
    await sleep(20);
    await jobs.shutdown();
    expect(jobs.get(job.id).state).toBe('interrupted');
    expect(() => jobs.enqueue('scan', null, { steps: 1, name: 'late' })).toThrow(/shutting down/);
  });

  it('JobCancelled thrown by a handler counts as cancelled', async () => {
    const jobs = new JobManager(db, events, {
      scan: {
        lane: 'main',
        args: z.object({}),
        async run() {
          throw new JobCancelled();
        },
      },
    });
    const job = jobs.enqueue('scan', null, {});
    expect((await jobs.wait(job.id)).state).toBe('cancelled');
  });
});

describe('throttle', () => {
  it('delivers the first value at once and the last one at the end of the interval', async () => {
    const got: number[] = [];
    const t = throttle<number>(50, (v) => got.push(v));
    for (let i = 1; i <= 5; i++) t.push(i);
    expect(got).toEqual([1]);
    await sleep(80);
    expect(got).toEqual([1, 5]);
    t.push(6);
    t.flush();
    expect(got).toEqual([1, 5, 6]);
  });
});
