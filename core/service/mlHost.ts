/**
 * The service's side of the ML worker: starts the process on first use, runs one task at a time, forwards progress,
 * cancels, and survives the worker dying — the running task fails with the reason and the next task gets a fresh
 * worker.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EpochStats } from '../api.js';
import { exitNotice, type FromWorker, type ToWorker, type WorkerPort } from './workerProtocol.js';
import { JobCancelled } from './jobManager.js';

export class WorkerCrashed extends Error {
  constructor(reason: string) {
    super(`the ML worker stopped unexpectedly (${reason}); the job was not finished — try again, or choose a smaller model input size if this repeats`);
    this.name = 'WorkerCrashed';
  }
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: { phase: string; done: number; total: number; message?: string | null }) => void;
  onEpoch?: (epochs: number, stats: EpochStats) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));

/** The product's task registry module (TS in development, JS when built). */
export const DEFAULT_TASKS_MODULE = path.resolve(here, '..', 'ml', 'worker', `tasks${ext}`);

/** Forks `core/service/mlWorker` as a Node child process (browser mode and CLI). */
export function forkWorker(tasksModule: string = DEFAULT_TASKS_MODULE): WorkerPort {
  const entry = path.join(here, `mlWorker${ext}`);
  const child = fork(entry, [tasksModule], {
    // Running from TypeScript sources: load tsx in the child too.
    execArgv: ext === '.ts' ? [...process.execArgv.filter((a) => !a.startsWith('--inspect')), '--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exit = exitNotice();
  child.on('exit', (code, signal) => exit.settle(signal ? `killed by ${signal}${signal === 'SIGKILL' ? ', possibly out of memory' : ''}` : `exit code ${code}`));
  child.on('error', (err) => exit.settle(`could not run: ${err.message}`));
  return {
    get pid() {
      return child.pid;
    },
    send(msg: ToWorker) {
      if (child.connected) child.send(msg);
    },
    onMessage(listener) {
      child.on('message', (m) => listener(m as FromWorker));
    },
    onExit: exit.onExit,
    kill() {
      child.kill('SIGKILL');
    },
  };
}

interface Running {
  taskId: number;
  opts: RunOptions;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class MlHost {
  private port: WorkerPort | null = null;
  private running: Running | null = null;
  private nextTaskId = 1;
  private restarts = 0;

  constructor(
    private readonly spawn: () => WorkerPort = () => forkWorker(),
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** How many times a dead worker has been replaced (for diagnostics and tests). */
  get restartCount(): number {
    return this.restarts;
  }

  get pid(): number | undefined {
    return this.port?.pid;
  }

  run<R = unknown>(task: string, payload: unknown, opts: RunOptions = {}): Promise<R> {
    if (this.running) return Promise.reject(new Error('the ML worker is busy with another task'));
    if (opts.signal?.aborted) return Promise.reject(new JobCancelled());
    const port = this.ensureWorker();
    const taskId = this.nextTaskId++;
    return new Promise<R>((resolve, reject) => {
      this.running = { taskId, opts, resolve: resolve as (v: unknown) => void, reject };
      const onAbort = () => {
        port.send({ type: 'cancel', taskId });
        // A task stuck in a long kernel cannot see the flag: give it a grace period, then stop the process.
        const timer = setTimeout(() => {
          if (this.running?.taskId === taskId) port.kill();
        }, 30_000);
        timer.unref();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => opts.signal?.removeEventListener('abort', onAbort);
      this.running.resolve = (v) => {
        cleanup();
        resolve(v as R);
      };
      this.running.reject = (e) => {
        cleanup();
        reject(e);
      };
      port.send({ type: 'run', taskId, task, payload });
    });
  }

  /** Stops the worker process (service shutdown). */
  stop(): void {
    const port = this.port;
    this.port = null;
    port?.kill();
  }

  private ensureWorker(): WorkerPort {
    if (this.port) return this.port;
    const port = this.spawn();
    this.port = port;
    port.onMessage((msg) => this.onMessage(msg));
    port.onExit((reason) => {
      if (this.port === port) this.port = null;
      const running = this.running;
      this.running = null;
      if (running) {
        this.restarts++;
        this.log(`ML worker ${port.pid} died during a task: ${reason}`);
        running.reject(running.opts.signal?.aborted ? new JobCancelled() : new WorkerCrashed(reason));
      }
    });
    return port;
  }

  private onMessage(msg: FromWorker): void {
    const running = this.running;
    if (msg.type === 'ready' || !running || msg.taskId !== running.taskId) return;
    switch (msg.type) {
      case 'progress':
        running.opts.onProgress?.({ phase: msg.phase, done: msg.done, total: msg.total, message: msg.message ?? null });
        return;
      case 'epoch':
        running.opts.onEpoch?.(msg.epochs, msg.stats);
        return;
      case 'done':
        this.running = null;
        running.resolve(msg.result);
        return;
      case 'error':
        this.running = null;
        running.reject(msg.cancelled ? new JobCancelled() : new Error(msg.message));
        return;
    }
  }
}
