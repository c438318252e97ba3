/**
 * The service's ML worker as an Electron `utilityProcess` (a Chromium-managed Node process: a TF.js crash or an
 * out-of-memory kill there leaves the window and the service running). It implements the same `WorkerPort` as the
 * Node child process of browser mode, so `MlHost` fails the running job with the reason and starts a fresh worker
 * for the next one. `fork` is injected: main.ts passes `utilityProcess.fork`; tests pass a child-process stand-in.
 */
import readline from 'node:readline';
import { exitNotice, type FromWorker, type ToWorker, type WorkerPort } from '../core/service/workerProtocol.js';

export const ML_SERVICE_NAME = 'PhotoCluster ML';
/** Passes the task registry module to the worker entry (see utilityWorker.ts). */
export const TASKS_FLAG = '--photocluster-tasks=';

/** The parts of Electron's `UtilityProcess` used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string) => void): unknown;
}

export type ForkLike = (modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe' }) => UtilityProcessLike;

/** What Electron's `child-process-gone` event tells about a utility process that ended. */
export interface GoneDetails {
  type: string;
  reason: string;
  exitCode: number;
  serviceName?: string;
}

export function describeExit(code: number, gone: GoneDetails | null, fatal: string | null): string {
  const exit = `exit code ${code}`;
  switch (gone?.reason) {
    case 'oom':
      return `ran out of memory (${exit})`;
    case 'crashed':
      return `crashed (${exit})${fatal ? `, ${fatal}` : ''}`;
    case 'killed':
      return `was killed (${exit}), possibly by the system for lack of memory`;
    case 'launch-failed':
      return `could not be started (error ${gone.exitCode})`;
    case 'integrity-failure':
      return 'failed a code integrity check';
    case 'memory-eviction':
      return 'was stopped by the system to free memory';
    default:
      return fatal ? `${exit}, ${fatal}` : exit;
  }
}

export interface UtilityWorkerOptions {
  fork: ForkLike;
  /** The built worker entry (electron/ml-host.js). */
  entry: string;
  /** The task registry module the worker imports (core/ml/worker/tasks.js in the product). */
  tasksModule: string;
  log?: (line: string) => void;
  /**
   * How long an exit waits for Electron's `child-process-gone` details (they may come just after the exit event)
   * before the reason is reported.
   */
  goneGraceMs?: number;
}

export interface UtilityWorkerSpawner {
  /** Starts a worker process; pass to `createService({ spawnWorker })`. */
  spawn(): WorkerPort;
  /** Feed from `app.on('child-process-gone')`: attributes the details to the worker that just ended. */
  noteGone(details: GoneDetails): void;
}

export interface Supervision {
  /** Feed from `app.on('child-process-gone')` for this process. */
  noteGone(details: GoneDetails): void;
  /** True from the moment the process has exited (before its reason is told). */
  readonly exited: boolean;
}

/**
 * Follows one utility process to its end: its output goes to the log line by line, and once it has exited, the
 * reason (with Electron's `child-process-gone` details when they come within `graceMs`) is told once.
 */
export function superviseUtilityProcess(
  child: UtilityProcessLike,
  opts: { logPrefix: string; log: (line: string) => void; graceMs: number; onEnded(reason: string): void },
): Supervision {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => opts.log(`${opts.logPrefix}: ${line}`));
  }
  let gone: GoneDetails | null = null;
  let fatal: string | null = null;
  let exited = false;
  child.on('error', (type, location) => {
    fatal = `${type} at ${location}`;
  });
  child.on('exit', (code) => {
    exited = true;
    setTimeout(() => opts.onEnded(describeExit(code, gone, fatal)), opts.graceMs);
  });
  return {
    noteGone(details) {
      gone = details;
    },
    get exited() {
      return exited;
    },
  };
}

export function createUtilityWorkerSpawner(opts: UtilityWorkerOptions): UtilityWorkerSpawner {
  const log = opts.log ?? (() => {});
  const grace = opts.goneGraceMs ?? 150;
  let current: Supervision | null = null;

  function spawn(): WorkerPort {
    const child = opts.fork(opts.entry, [TASKS_FLAG + opts.tasksModule], { serviceName: ML_SERVICE_NAME, stdio: 'pipe' });
    const exit = exitNotice();
    const self: Supervision = superviseUtilityProcess(child, {
      logPrefix: 'ml',
      log,
      graceMs: grace,
      onEnded(reason) {
        if (current === self) current = null;
        exit.settle(reason);
      },
    });
    current = self;
    return {
      get pid() {
        return child.pid;
      },
      send(msg: ToWorker) {
        if (!self.exited) child.postMessage(msg);
      },
      onMessage(listener) {
        child.on('message', (m) => listener(m as FromWorker));
      },
      onExit: exit.onExit,
      kill() {
        if (!self.exited) child.kill();
      },
    };
  }

  return {
    spawn,
    noteGone(details) {
      if (details.type === 'Utility' && details.serviceName === ML_SERVICE_NAME) current?.noteGone(details);
    },
  };
}
