/**
 * The service inside its utility process: opens it when main says `start`, answers main's numbered requests
 * (contract calls, photo lookups) and sends the service's events up. What only the main process can do — native
 * dialogs, the file manager, forking the ML worker (`utilityProcess` exists only in main) — the service asks main
 * for through the same port. Kept apart from the entry file (service-host.ts) so plain-Node tests run it with a
 * stand-in port.
 */
import { EVENT_NAMES } from '../core/api.js';
import { MediaError } from '../core/media.js';
import { dispatch, type RpcOutcome } from '../core/rpc.js';
import type { Service, ServiceOptions, ShellIntegration } from '../core/service/types.js';
import { exitNotice, type FromWorker, type WorkerPort } from '../core/service/workerProtocol.js';
import { SHELL_OPS, type FromServiceHost, type MediaOutcome, type ShellOp, type ShellOutcome, type ToServiceHost } from './serviceProtocol.js';
import type { ParentPortLike } from './utilityWorker.js';

export type CreateService = (opts: ServiceOptions) => Promise<Service>;

export function runServiceHost(port: ParentPortLike, createService: CreateService): void {
  const post = (msg: FromServiceHost) => port.postMessage(msg);
  const log = (line: string) => post({ type: 'log', line });
  let service: Promise<Service> | null = null;

  let nextShellId = 1;
  const shellWaiting = new Map<number, (outcome: ShellOutcome) => void>();
  function askShell(op: ShellOp, arg: string | undefined): Promise<unknown> {
    const id = nextShellId++;
    return new Promise((resolve, reject) => {
      shellWaiting.set(id, (outcome) => (outcome.ok ? resolve(outcome.result) : reject(new Error(outcome.message))));
      post({ type: 'shell', id, op, arg });
    });
  }
  const shell = Object.fromEntries(SHELL_OPS.map((op) => [op, (arg?: string) => askShell(op, arg)])) as Required<ShellIntegration>;

  let nextWorkerId = 1;
  const workers = new Map<number, { deliver(msg: FromWorker): void; exited(reason: string): void }>();
  function spawnWorker(): WorkerPort {
    const workerId = nextWorkerId++;
    const exit = exitNotice();
    const listeners: Array<(msg: FromWorker) => void> = [];
    let pid: number | undefined;
    let ended = false;
    workers.set(workerId, {
      deliver(msg) {
        if (msg.type === 'ready') pid = msg.pid;
        listeners.forEach((l) => l(msg));
      },
      exited(reason) {
        ended = true;
        workers.delete(workerId);
        exit.settle(reason);
      },
    });
    post({ type: 'spawnWorker', workerId });
    return {
      get pid() {
        return pid;
      },
      send(msg) {
        if (!ended) post({ type: 'workerSend', workerId, msg });
      },
      onMessage(listener) {
        listeners.push(listener);
      },
      onExit: exit.onExit,
      kill() {
        if (!ended) post({ type: 'killWorker', workerId });
      },
    };
  }

  /** Validated again here: main checks every call, and this process trusts nothing it did not check itself. */
  async function call(method: unknown, args: unknown): Promise<RpcOutcome> {
    let api: Service;
    try {
      api = await opened();
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'PhotoCluster is not ready to answer yet; try again in a moment.' } };
    }
    return dispatch(api, method, args, (err, m) => log(`api ${m} failed: ${(err as Error)?.stack ?? String(err)}`));
  }

  function opened(): Promise<Service> {
    return service ?? Promise.reject(new Error('the service was never started'));
  }

  async function media(op: 'thumbnailFile' | 'previewImage', photoId: number): Promise<MediaOutcome> {
    try {
      return { ok: true, result: await (await opened()).media[op](photoId) };
    } catch (err) {
      if (err instanceof MediaError) return { ok: false, status: err.status, message: err.message };
      log(`media ${op} ${photoId} failed: ${(err as Error)?.stack ?? String(err)}`);
      return { ok: false, message: 'the photo could not be read' };
    }
  }

  async function start(msg: Extract<ToServiceHost, { type: 'start' }>): Promise<void> {
    service = createService({ paths: msg.paths, platform: 'electron', spawnWorker, shell, log, nameDueGroupsAtStart: true });
    let api: Service;
    try {
      api = await service;
    } catch (err) {
      log(`the service could not start: ${(err as Error)?.stack ?? String(err)}`);
      post({ type: 'startFailed', message: (err as Error)?.message ?? String(err) });
      return;
    }
    for (const event of EVENT_NAMES) api.on(event, (payload) => post({ type: 'event', event, payload }));
    post({ type: 'ready' });
  }

  port.on('message', ({ data }) => {
    const msg = data as ToServiceHost;
    switch (msg?.type) {
      case 'start':
        if (!service) void start(msg);
        return;
      case 'call':
        void call(msg.method, msg.args).then((outcome) => post({ type: 'answer', id: msg.id, outcome }));
        return;
      case 'media':
        void media(msg.op, msg.photoId).then((outcome) => post({ type: 'mediaAnswer', id: msg.id, outcome }));
        return;
      case 'shellAnswer':
        shellWaiting.get(msg.id)?.(msg.outcome);
        shellWaiting.delete(msg.id);
        return;
      case 'workerMessage':
        workers.get(msg.workerId)?.deliver(msg.msg);
        return;
      case 'workerExit':
        workers.get(msg.workerId)?.exited(msg.reason);
        return;
      case 'close':
        // Jobs are recorded as interrupted and the ML worker stopped; main ends this process after 'closed'.
        void opened()
          .then((s) => s.close())
          .catch((err: unknown) => log(`closing the service failed: ${(err as Error)?.stack ?? String(err)}`))
          .finally(() => post({ type: 'closed' }));
        return;
      default:
        // Not ours (a test harness may share the channel); nothing to answer.
        return;
    }
  });
}
