/**
 * Long work as jobs: queued, persisted in SQLite (state, progress, result, error), cancellable, resumable after a
 * restart. Jobs run in lanes: everything that touches the library or the ML worker runs one at a time in the `main`
 * lane; exports (read-only on the database) have their own lane so a user can export while a model trains.
 */
import { z } from 'zod';
import type { Database } from '../store/db.js';
import { finishJobRow, getJobRow, insertJob, interruptUnfinishedJobs, listJobRows, markJobRunning, queuedJobs, requeueJob, saveJobProgress, type JobRow } from '../store/jobs.js';
import { ApiError, type JobInfo, type JobKind, type JobPhase, type JobProgress, type JobState } from '../api.js';
import { EventBus, throttle } from './events.js';

export type Lane = 'main' | 'export';

export interface JobContext<A> {
  readonly jobId: number;
  readonly libraryId: number | null;
  readonly args: A;
  readonly signal: AbortSignal;
  /** True when the user resumed an interrupted, failed or cancelled job: continue from checkpoints. */
  readonly resumed: boolean;
  /** Reports progress; the manager adds the ETA and throttles what reaches the UI and the database. */
  progress(p: { phase: JobPhase; done: number; total: number; message?: string | null }): void;
}

export interface JobHandler<A = unknown, R = unknown> {
  lane: Lane;
  /** Checks the arguments read back from the database before each run (a resumed job may be older than this code). */
  args: z.ZodType<A>;
  run(ctx: JobContext<A>): Promise<R>;
}

/** Handlers by job kind; each kind's arguments and result types come from its handler. */
export type JobHandlers = Record<string, JobHandler<unknown, unknown>>;
export type JobArgs<H extends JobHandlers, K extends keyof H> = H[K] extends JobHandler<infer A, unknown> ? A : never;

/** Thrown by a handler (or raised by the signal) when the job stopped because the user cancelled it. */
export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    libraryId: row.library_id,
    kind: row.kind,
    state: row.state,
    progress: row.progress ? (JSON.parse(row.progress) as JobProgress) : null,
    result: row.result ? JSON.parse(row.result) : null,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** A job's stored arguments, or an error the user can read when they no longer fit (never a half-valid job). */
function parseArgs(handler: JobHandler<unknown, unknown>, stored: string): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    throw new ApiError('conflict', 'the job\'s saved settings are damaged; start it again');
  }
  const parsed = handler.args.safeParse(raw);
  if (!parsed.success) throw new ApiError('conflict', `the job's saved settings are not valid any more (${z.prettifyError(parsed.error).replace(/\n/g, '; ')}); start it again`);
  return parsed.data;
}

const FINISHED: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export class JobManager<H extends JobHandlers> {
  private readonly controllers = new Map<number, AbortController>();
  private readonly running = new Map<Lane, number>();
  private readonly waiters = new Map<number, Array<(job: JobInfo) => void>>();
  private readonly resumedIds = new Set<number>();
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly handlers: H,
    private readonly opts: { progressIntervalMs?: number; persistIntervalMs?: number; log?: (line: string) => void } = {},
  ) {
    // A job that was queued or running when the process died did not finish: say so, and let the user resume it.
    interruptUnfinishedJobs(this.db, 'PhotoCluster stopped before the job finished');
  }

  enqueue<K extends keyof H & string>(kind: K, libraryId: number | null, args: JobArgs<H, K>): JobInfo {
    if (this.stopped) throw new ApiError('unavailable', 'PhotoCluster is shutting down');
    if (!this.handler(kind)) throw new ApiError('unsupported', `no handler for ${kind} jobs`);
    const job = this.get(insertJob(this.db, libraryId, kind, JSON.stringify(args ?? {})));
    this.events.emit('job', job);
    queueMicrotask(() => this.pump());
    return job;
  }

  get(jobId: number): JobInfo {
    const row = getJobRow(this.db, jobId);
    if (!row) throw new ApiError('not_found', `no job ${jobId}`);
    return toInfo(row);
  }

  list(opts: { libraryId?: number | undefined; limit?: number } = {}): JobInfo[] {
    return listJobRows(this.db, opts.libraryId, opts.limit ?? 50).map(toInfo);
  }

  /** Args of a job as stored, checked against its kind's schema. */
  args<K extends keyof H & string>(jobId: number, kind: K): JobArgs<H, K> {
    const row = getJobRow(this.db, jobId);
    if (!row) throw new ApiError('not_found', `no job ${jobId}`);
    return parseArgs(this.handlers[kind]!, row.args) as JobArgs<H, K>;
  }

  private handler(kind: string): JobHandler<unknown, unknown> | undefined {
    return Object.prototype.hasOwnProperty.call(this.handlers, kind) ? this.handlers[kind] : undefined;
  }

  cancel(jobId: number): JobInfo {
    const job = this.get(jobId);
    if (job.state === 'queued') {
      this.finish(jobId, 'cancelled', null, null);
    } else if (job.state === 'running') {
      this.controllers.get(jobId)?.abort(new JobCancelled());
    }
    return this.get(jobId);
  }

  /** Whether this manager is running the job (another process sharing the database may be running others). */
  runsHere(jobId: number): boolean {
    return this.controllers.has(jobId);
  }

  /** Puts an interrupted, failed or cancelled job back in the queue with the same arguments. */
  resume(jobId: number): JobInfo {
    const job = this.get(jobId);
    if (!FINISHED.has(job.state) || job.state === 'done') {
      throw new ApiError('conflict', `job ${jobId} is ${job.state}; only interrupted, failed or cancelled jobs can be resumed`);
    }
    requeueJob(this.db, jobId);
    this.resumedIds.add(jobId);
    const updated = this.get(jobId);
    this.events.emit('job', updated);
    queueMicrotask(() => this.pump());
    return updated;
  }

  /** Resolves when the job has finished (done, failed, cancelled or interrupted). */
  wait(jobId: number): Promise<JobInfo> {
    const job = this.get(jobId);
    if (FINISHED.has(job.state)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push(resolve);
      this.waiters.set(jobId, list);
    });
  }

  /** Stops taking jobs, cancels the running ones and waits for them; they are recorded as interrupted. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const ids = [...this.running.values()];
    for (const id of ids) this.controllers.get(id)?.abort(new Error('shutdown'));
    await Promise.all(ids.map((id) => this.wait(id)));
  }

  private pump(): void {
    if (this.stopped) return;
    for (const { id, kind } of queuedJobs(this.db)) {
      const handler = this.handler(kind);
      if (!handler) {
        this.finish(id, 'failed', null, `no handler for ${kind} jobs`);
        continue;
      }
      if (this.running.has(handler.lane)) continue;
      this.running.set(handler.lane, id);
      void this.execute(id, handler);
    }
  }

  private async execute(jobId: number, handler: JobHandler<unknown, unknown>): Promise<void> {
    let args: unknown;
    try {
      const row = getJobRow(this.db, jobId);
      if (!row) throw new Error(`no job ${jobId}`);
      args = parseArgs(handler, row.args);
    } catch (err) {
      this.finish(jobId, 'failed', null, (err as Error).message);
      this.running.delete(handler.lane);
      queueMicrotask(() => this.pump());
      return;
    }
    const controller = new AbortController();
    this.controllers.set(jobId, controller);
    const resumed = this.resumedIds.delete(jobId);
    const startedAt = new Date().toISOString();
    markJobRunning(this.db, jobId, startedAt);
    const job = this.get(jobId);
    this.events.emit('job', job);

    let phase: JobPhase | null = null;
    let phaseStart = Date.now();
    let lastProgress: JobProgress | null = null;
    const toUi = throttle<JobProgress>(this.opts.progressIntervalMs ?? 100, (p) => this.events.emit('job', { ...job, state: 'running', progress: p }));
    const toDb = throttle<JobProgress>(this.opts.persistIntervalMs ?? 1000, (p) =>
      saveJobProgress(this.db, jobId, JSON.stringify(p)),
    );
    const ctx: JobContext<unknown> = {
      jobId,
      libraryId: job.libraryId,
      args,
      signal: controller.signal,
      resumed,
      progress: ({ phase: ph, done, total, message }) => {
        const now = Date.now();
        if (ph !== phase) {
          phase = ph;
          phaseStart = now;
        }
        const elapsed = (now - phaseStart) / 1000;
        const eta = done > 0 && total > done && elapsed > 0.5 ? ((total - done) * elapsed) / done : total > 0 && done >= total ? 0 : null;
        lastProgress = { phase: ph, done, total, etaSeconds: eta === null ? null : Math.round(eta), message: message ?? null };
        toUi.push(lastProgress);
        toDb.push(lastProgress);
      },
    };
    try {
      const result = await handler.run(ctx);
      toUi.cancel();
      toDb.cancel();
      if (controller.signal.aborted) this.finishAborted(jobId, controller.signal.reason, lastProgress);
      else this.finish(jobId, 'done', result ?? null, null, lastProgress);
    } catch (err) {
      toUi.cancel();
      toDb.cancel();
      if (controller.signal.aborted || err instanceof JobCancelled) this.finishAborted(jobId, controller.signal.reason ?? err, lastProgress);
      else {
        this.opts.log?.(`job ${jobId} failed: ${(err as Error)?.stack ?? err}`);
        this.finish(jobId, 'failed', null, (err as Error)?.message ?? String(err), lastProgress);
      }
    } finally {
      this.controllers.delete(jobId);
      this.running.delete(handler.lane);
      queueMicrotask(() => this.pump());
    }
  }

  private finishAborted(jobId: number, reason: unknown, progress: JobProgress | null): void {
    if (reason instanceof JobCancelled) this.finish(jobId, 'cancelled', null, null, progress);
    else this.finish(jobId, 'interrupted', null, 'PhotoCluster stopped before the job finished', progress);
  }

  private finish(jobId: number, state: JobState, result: unknown, error: string | null, progress: JobProgress | null = null): void {
    finishJobRow(this.db, jobId, { state, result: result === null ? null : JSON.stringify(result), error, progress: progress ? JSON.stringify(progress) : null });
    const job = this.get(jobId);
    this.events.emit('job', job);
    const list = this.waiters.get(jobId);
    this.waiters.delete(jobId);
    list?.forEach((resolve) => resolve(job));
  }
}
