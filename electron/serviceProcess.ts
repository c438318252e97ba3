/**
 * The main process's handle on the service, which runs in a utility process (service-host.ts): the same `Api`, events
 * and `MediaSource` the service itself offers, each call relayed over the process's port. main.ts registers the IPC
 * handlers (sender check and argument validation stay here in main, before anything is relayed) and the `thumb:`
 * protocol on top of it exactly as it did on the in-process service.
 *
 * In the other direction it does for the service what only main can: native dialogs and the file manager (the
 * paths come from the service, never from the page) and forking the ML worker, whose messages it relays.
 *
 * When the service process ends unexpectedly, calls in flight fail with `unavailable`, its ML workers are stopped
 * and a fresh process opens the same database (SQLite holds every edit; jobs that were running are recorded as
 * interrupted and can be resumed). Calls made meanwhile wait for it. A process that cannot start, or keeps ending,
 * is fatal: `onFatal` tells the user.
 */
import { ApiError, METHOD_NAMES, type Api, type ApiClient, type MethodName } from '../core/api.js';
import { MediaError, type MediaSource } from '../core/media.js';
import type { DataPaths } from '../core/paths.js';
import type { RpcOutcome } from '../core/rpc.js';
import { EventBus } from '../core/service/events.js';
import type { ShellIntegration } from '../core/service/types.js';
import type { WorkerPort } from '../core/service/workerProtocol.js';
import { SERVICE_PROCESS_NAME, SHELL_OPS, type FromServiceHost, type MediaOp, type MediaOutcome, type ShellOutcome, type ToServiceHost } from './serviceProtocol.js';
import { superviseUtilityProcess, type ForkLike, type GoneDetails, type Supervision, type UtilityProcessLike } from './utilityWorkerPort.js';

export interface ServiceProcessOptions {
  fork: ForkLike;
  /** The built entry (electron/service-host.js). */
  entry: string;
  paths: DataPaths;
  shell: Required<ShellIntegration>;
  /** Forks an ML worker (main's utilityProcess-backed spawner); the service process asks for one through main. */
  spawnWorker(): WorkerPort;
  log?: (line: string) => void;
  /** A fresh service process is open after the previous one ended: the window should show what the database holds. */
  onRestarted?(reason: string): void;
  /** The service cannot run (it failed to start, or kept ending): tell the user and stop. */
  onFatal(message: string): void;
  /** Restarts allowed within `restartWindowMs` before giving up; default 3 in a minute. */
  maxRestarts?: number;
  restartWindowMs?: number;
  goneGraceMs?: number;
}

export interface ServiceProcess {
  api: Api;
  on: ApiClient['on'];
  media: MediaSource;
  /** Resolves when the first service process has opened the database. */
  ready: Promise<void>;
  /** Closes the service (jobs recorded as interrupted, ML worker stopped) and ends its process. */
  close(): Promise<void>;
  /** Feed from `app.on('child-process-gone')`. */
  noteGone(details: GoneDetails): void;
  /** The current service process's id, for the log. */
  readonly pid: number | undefined;
}

const STOPPED_MESSAGE = "PhotoCluster's background service stopped unexpectedly and is restarting; try again in a moment.";

type Waiting = { resolve(value: unknown): void; reject(err: Error): void };

interface Incarnation {
  child: UtilityProcessLike;
  supervision: Supervision;
  opened: Promise<void>;
  /** Settles `opened` as failed when it has not settled yet. */
  failOpen(err: Error): void;
  waiting: Map<number, Waiting>;
  workers: Map<number, WorkerPort>;
  onClosed: (() => void) | null;
}

export function createServiceProcess(opts: ServiceProcessOptions): ServiceProcess {
  const log = opts.log ?? (() => {});
  const maxRestarts = opts.maxRestarts ?? 3;
  const windowMs = opts.restartWindowMs ?? 60_000;
  const events = new EventBus();
  const restarts: number[] = [];
  let nextId = 1;
  let closing = false;
  let fatal: string | null = null;
  let everOpened = false;
  let lastEndReason = '';
  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});

  function giveUp(message: string): void {
    if (fatal !== null) return;
    fatal = message;
    if (!current.supervision.exited) current.child.kill();
    rejectReady(new ApiError('unavailable', message));
    opts.onFatal(message);
  }

  function start(): Incarnation {
    const child = opts.fork(opts.entry, [], { serviceName: SERVICE_PROCESS_NAME, stdio: 'pipe' });
    const supervision = superviseUtilityProcess(child, {
      logPrefix: 'service',
      log,
      graceMs: opts.goneGraceMs ?? 150,
      onEnded: (reason) => ended(inc, reason),
    });
    let opened!: { resolve(): void; reject(err: Error): void };
    const inc: Incarnation = {
      child,
      supervision,
      opened: new Promise<void>((resolve, reject) => (opened = { resolve, reject })),
      failOpen: (err) => opened.reject(err),
      waiting: new Map(),
      workers: new Map(),
      onClosed: null,
    };
    inc.opened.catch(() => {});
    // Nothing is posted to a process that has exited (its reason comes only after a grace period).
    const post = (msg: ToServiceHost) => {
      if (!supervision.exited) child.postMessage(msg);
    };

    child.on('message', (raw) => {
      const msg = raw as FromServiceHost;
      switch (msg?.type) {
        case 'ready': {
          const restarted = everOpened;
          everOpened = true;
          opened.resolve();
          resolveReady();
          if (restarted) opts.onRestarted?.(lastEndReason);
          return;
        }
        case 'startFailed':
          opened.reject(new ApiError('unavailable', msg.message));
          giveUp(msg.message);
          return;
        case 'answer':
        case 'mediaAnswer':
          inc.waiting.get(msg.id)?.resolve(msg.outcome);
          inc.waiting.delete(msg.id);
          return;
        case 'event':
          events.emit(msg.event, msg.payload as never);
          return;
        case 'log':
          log(msg.line);
          return;
        case 'shell':
          void runShell(msg.op, msg.arg).then((outcome) => post({ type: 'shellAnswer', id: msg.id, outcome }));
          return;
        case 'spawnWorker': {
          let worker: WorkerPort;
          try {
            worker = opts.spawnWorker();
          } catch (err) {
            log(`could not start an ML worker: ${(err as Error)?.stack ?? String(err)}`);
            post({ type: 'workerExit', workerId: msg.workerId, reason: `could not be started (${(err as Error)?.message ?? String(err)})` });
            return;
          }
          inc.workers.set(msg.workerId, worker);
          worker.onMessage((m) => post({ type: 'workerMessage', workerId: msg.workerId, msg: m }));
          worker.onExit((reason) => {
            inc.workers.delete(msg.workerId);
            post({ type: 'workerExit', workerId: msg.workerId, reason });
          });
          return;
        }
        case 'workerSend':
          inc.workers.get(msg.workerId)?.send(msg.msg);
          return;
        case 'killWorker':
          inc.workers.get(msg.workerId)?.kill();
          return;
        case 'closed':
          inc.onClosed?.();
          return;
        default:
          log(`service process: ignored a message of unknown type ${JSON.stringify(String((raw as { type?: unknown })?.type)).slice(0, 80)}`);
      }
    });

    post({ type: 'start', paths: opts.paths });
    return inc;
  }

  function ended(inc: Incarnation, reason: string): void {
    inc.failOpen(new ApiError('unavailable', STOPPED_MESSAGE));
    for (const w of inc.waiting.values()) w.reject(new ApiError('unavailable', STOPPED_MESSAGE));
    inc.waiting.clear();
    for (const worker of inc.workers.values()) worker.kill();
    inc.workers.clear();
    inc.onClosed?.();
    if (closing || fatal !== null || current !== inc) return;
    log(`the service process ended: ${reason}`);
    lastEndReason = reason;
    if (!everOpened) return giveUp(`the service process ended while starting (${reason})`);
    const now = Date.now();
    while (restarts.length && now - restarts[0]! > windowMs) restarts.shift();
    if (restarts.length >= maxRestarts) return giveUp(`the service process keeps stopping (${restarts.length + 1} times in a short while; last: ${reason})`);
    restarts.push(now);
    current = start();
  }

  async function runShell(op: unknown, arg: string | undefined): Promise<ShellOutcome> {
    if (!SHELL_OPS.includes(op as never)) return { ok: false, message: `unknown shell operation ${String(op).slice(0, 40)}` };
    try {
      const fn = opts.shell[op as keyof ShellIntegration] as (a?: string) => Promise<unknown>;
      return { ok: true, result: await fn(arg) };
    } catch (err) {
      log(`shell ${String(op)} failed: ${(err as Error)?.stack ?? String(err)}`);
      return { ok: false, message: (err as Error)?.message ?? String(err) };
    }
  }

  let current: Incarnation = start();

  /** Sends a numbered request to the open service process, waiting for one to be open. */
  async function request(make: (id: number) => ToServiceHost): Promise<unknown> {
    for (;;) {
      if (fatal !== null) throw new ApiError('unavailable', fatal);
      if (closing) throw new ApiError('unavailable', 'PhotoCluster is closing.');
      const inc = current;
      const open = await inc.opened.then(
        () => !inc.supervision.exited,
        () => false,
      );
      if (!open) {
        // It ended (or failed) before this call could go: the next process is on its way, or the loop's first checks
        // say why there is none.
        if (current === inc) await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        inc.waiting.set(id, { resolve, reject });
        inc.child.postMessage(make(id));
      });
    }
  }

  async function call(method: MethodName, args: unknown): Promise<unknown> {
    const outcome = (await request((id) => ({ type: 'call', id, method, args }))) as RpcOutcome;
    if (outcome.ok) return outcome.result;
    throw new ApiError(outcome.error.code, outcome.error.message);
  }

  async function media(op: MediaOp, photoId: number): Promise<unknown> {
    const outcome = (await request((id) => ({ type: 'media', id, op, photoId }))) as MediaOutcome;
    if (outcome.ok) return outcome.result;
    if (outcome.status !== undefined) throw new MediaError(outcome.status as MediaError['status'], outcome.message);
    throw new Error(outcome.message);
  }

  const api = Object.fromEntries(METHOD_NAMES.map((method) => [method, (args: unknown) => call(method, args)])) as unknown as Api;

  return {
    api,
    on: (event, listener) => events.on(event, listener),
    media: {
      thumbnailFile: async (photoId) => (await media('thumbnailFile', photoId)) as string | null,
      previewImage: async (photoId) => {
        const preview = (await media('previewImage', photoId)) as { body: Uint8Array; contentType: string } | null;
        // Structured cloning turns a Buffer into a plain Uint8Array.
        return preview && { body: Buffer.from(preview.body.buffer, preview.body.byteOffset, preview.body.byteLength), contentType: preview.contentType };
      },
    },
    ready,
    close() {
      closing = true;
      const inc = current;
      if (inc.supervision.exited) return Promise.resolve();
      return new Promise<void>((resolve) => {
        inc.onClosed = () => {
          inc.onClosed = null;
          if (!inc.supervision.exited) inc.child.kill();
          resolve();
        };
        inc.child.postMessage({ type: 'close' } satisfies ToServiceHost);
      });
    },
    noteGone(details) {
      if (details.type === 'Utility' && details.serviceName === SERVICE_PROCESS_NAME) current.supervision.noteGone(details);
    },
    get pid() {
      return current.child.pid;
    },
  };
}
