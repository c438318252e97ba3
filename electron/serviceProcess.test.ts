/**
 * The service in its utility process, driven from main's side (serviceProcess.ts) in plain Node. Most tests run the
 * real host loop (serviceHost.ts) in this process behind a stand-in `fork` that clones every message and delivers it
 * later, as a process boundary would; the last runs the real entry file (service-host.ts) and the real service in a
 * child process, and kills it.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, METHOD_NAMES, type Api } from '../core/api.js';
import { MediaError } from '../core/media.js';
import { resolveDataPaths } from '../core/paths.js';
import type { RpcOutcome } from '../core/rpc.js';
import { EventBus } from '../core/service/events.js';
import { MlHost } from '../core/service/mlHost.js';
import type { Service, ServiceOptions } from '../core/service/types.js';
import { exitNotice, type FromWorker, type ToWorker, type WorkerPort } from '../core/service/workerProtocol.js';
import { EVENT_CHANNEL, invokeChannel } from './channels.js';
import { forwardEvents, registerApiHandlers, type InvokeEventLike, type IpcMainLike } from './ipc.js';
import { createThumbProtocolHandler } from './protocols.js';
import { runServiceHost } from './serviceHost.js';
import { createServiceProcess, type ServiceProcessOptions } from './serviceProcess.js';
import { SERVICE_PROCESS_NAME, type ToServiceHost } from './serviceProtocol.js';
import { forkStandIn } from './testSupport/utilityProcessStandIn.js';
import { createUtilityWorkerSpawner, type ForkLike, type UtilityProcessLike } from './utilityWorkerPort.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-service-process-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const later = () => new Promise((r) => setTimeout(r, 5));
async function until(condition: () => boolean, what: string): Promise<void> {
  // Generous: a child process starting under tsx on a busy machine takes seconds.
  for (const end = Date.now() + 20_000; !condition() && Date.now() < end; ) await later();
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** A service whose every method echoes its arguments; a few behave like the real one's edge cases. */
function echoService(opts: ServiceOptions, seen: { calls: Array<{ method: string; args: unknown }>; closed: number; ml?: MlHost }): Service {
  const events = new EventBus();
  const api = Object.fromEntries(METHOD_NAMES.map((m) => [m, async (args: unknown) => (seen.calls.push({ method: m, args }), { method: m, args })])) as unknown as Api;
  api.getJob = async () => {
    throw new ApiError('not_found', 'no job 5');
  };
  api.getLibrary = async ({ libraryId }) => {
    if (libraryId === 13) throw new Error('disk on fire at /home/me/secret');
    if (libraryId === 99) await new Promise(() => {}); // never answers: the process dies first
    events.emit('libraryChanged', { libraryId, parts: ['library'] });
    return { method: 'getLibrary', libraryId } as never;
  };
  api.showFolderDialog = async () => ({ path: await opts.shell!.showFolderDialog!('Pick') }) as never;
  api.startClustering = async () => {
    seen.ml ??= new MlHost(opts.spawnWorker!);
    return seen.ml.run('echo', { values: new Float32Array([1.5, 2]) }) as never;
  };
  return Object.assign(api, {
    on: events.on.bind(events),
    media: {
      thumbnailFile: async (id: number) => (id === 7 ? path.join(opts.paths.cacheDir, 't.webp') : id === 8 ? '/etc/passwd' : null),
      previewImage: async (id: number) => {
        if (id === 9) throw new MediaError(409, 'the photo changed since the last scan');
        return id === 7 ? { body: Buffer.from('JPEGDATA'), contentType: 'image/jpeg' } : null;
      },
    },
    close: async () => {
      seen.closed++;
      seen.ml?.stop();
    },
  });
}

/** `fork` that runs the host loop in this process; each "process" can be killed like a real one. */
function inProcessFork(createService: (opts: ServiceOptions) => Promise<Service>) {
  const made: Array<{ proc: UtilityProcessLike & EventEmitter; toHost: unknown[]; die(code: number): void; modulePath: string; options: unknown }> = [];
  const fork: ForkLike = (modulePath, _args, options) => {
    const toService = new EventEmitter();
    let dead = false;
    const toHost: unknown[] = [];
    const proc = Object.assign(new EventEmitter(), {
      pid: 5000 + made.length,
      stdout: null,
      stderr: null,
      postMessage(m: unknown) {
        toHost.push(m);
        const copy = structuredClone(m);
        setImmediate(() => !dead && toService.emit('message', { data: copy }));
      },
      kill() {
        die(143);
        return true;
      },
    }) as unknown as UtilityProcessLike & EventEmitter;
    const die = (code: number) => {
      if (dead) return;
      dead = true;
      setImmediate(() => proc.emit('exit', code));
    };
    runServiceHost(
      {
        on: (_e, l) => toService.on('message', l),
        postMessage: (m) => {
          const copy = structuredClone(m);
          setImmediate(() => !dead && proc.emit('message', copy));
        },
      },
      createService,
    );
    made.push({ proc, toHost, die, modulePath, options });
    return proc;
  };
  return { fork, made };
}

function fakeShell() {
  const asked: string[] = [];
  return {
    asked,
    shell: {
      showFolderDialog: async (title?: string) => (asked.push(`dialog ${title}`), '/picked/folder'),
      revealPath: async (p: string) => (asked.push(`reveal ${p}`), true),
      openPath: async (p: string) => (asked.push(`open ${p}`), true),
    },
  };
}

function setUp(overrides: Partial<ServiceProcessOptions> & { failStart?: string; opening?: (n: number) => Promise<void> } = {}) {
  const seen = { calls: [] as Array<{ method: string; args: unknown }>, closed: 0, ml: undefined as MlHost | undefined, created: [] as ServiceOptions[] };
  const { fork, made } = inProcessFork(async (opts) => {
    seen.created.push(opts);
    if (overrides.failStart) throw new Error(overrides.failStart);
    await overrides.opening?.(seen.created.length);
    return echoService(opts, seen);
  });
  const { shell, asked } = fakeShell();
  const log: string[] = [];
  const fatal: string[] = [];
  const restarted: string[] = [];
  const paths = resolveDataPaths({ env: { PHOTOCLUSTER_DATA_DIR: fs.mkdtempSync(path.join(tmp, 'data-')) } });
  const service = createServiceProcess({
    fork,
    entry: '/app/electron/service-host.js',
    paths,
    shell,
    spawnWorker: () => {
      throw new Error('no ML worker in this test');
    },
    log: (l) => log.push(l),
    onFatal: (m) => fatal.push(m),
    onRestarted: (r) => restarted.push(r),
    goneGraceMs: 5,
    ...overrides,
  });
  const callsPosted = () => made.flatMap((m) => m.toHost).filter((m) => (m as ToServiceHost).type === 'call');
  return { service, seen, made, asked, log, fatal, restarted, paths, callsPosted };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  const invoke = (method: string, args: unknown, url = 'app://photocluster/') =>
    handlers.get(invokeChannel(method as never))!({ sender: { id: 1 }, senderFrame: { url, parent: null } }, args) as Promise<RpcOutcome>;
  return { ipcMain, invoke };
}

describe('the service process, seen from main', () => {
  it('forks the service entry under its own name and opens the service there with the desktop options', async () => {
    const { service, made, seen, paths } = setUp();
    await service.ready;
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ modulePath: '/app/electron/service-host.js', options: { serviceName: SERVICE_PROCESS_NAME } });
    expect(seen.created[0]).toMatchObject({ platform: 'electron', paths });
    expect(Object.keys(seen.created[0]!.shell!).sort()).toEqual(['openPath', 'revealPath', 'showFolderDialog']);
    expect(service.pid).toBe(5000);
  });

  it('relays each checked, validated IPC call and its answer; bad arguments and foreign pages never reach the process', async () => {
    const { service, seen, log, callsPosted } = setUp();
    const { ipcMain, invoke } = fakeIpcMain();
    registerApiHandlers({ ipcMain, api: service.api, trustedWebContentsId: () => 1, log: (l) => log.push(l) });

    // Defaults from the schemas are filled in before the call is relayed.
    expect(await invoke('listPhotos', { libraryId: 1 })).toMatchObject({ ok: true, result: { method: 'listPhotos', args: { libraryId: 1, filter: 'all', offset: 0, limit: 500 } } });
    expect(await invoke('getJob', { jobId: 5 })).toEqual({ ok: false, error: { code: 'not_found', message: 'no job 5' } });
    const internal = await invoke('getLibrary', { libraryId: 13 });
    expect(internal).toEqual({ ok: false, error: { code: 'internal', message: expect.not.stringContaining('/home/me') } });
    await until(() => log.some((l) => l.includes('disk on fire')), 'the failure in the log');
    const posted = callsPosted().length;

    for (const [method, args] of [
      ['getLibrary', { libraryId: '1' }],
      ['getLibrary', { libraryId: 1, path: '/etc' }],
      ['addLibrary', { root: 'a\0b' }],
      ['movePhotos', { photoIds: [], to: { clusterId: 1 } }],
      ['listLibraries', { extra: true }],
    ] as const) {
      const outcome = await invoke(method, args);
      expect(!outcome.ok && outcome.error.code, `${method} ${JSON.stringify(args)}`).toBe('bad_request');
    }
    expect(!(await invoke('removeLibrary', { libraryId: 1 }, 'https://evil.example/')).ok).toBe(true);
    expect(callsPosted()).toHaveLength(posted);
    expect(seen.calls.map((c) => c.method)).toEqual(['listPhotos']);
  });

  it("sends the service's events to the window", async () => {
    const { service } = setUp();
    const sent: unknown[][] = [];
    forwardEvents(service, () => ({ id: 1, isDestroyed: () => false, send: (...args: unknown[]) => void sent.push(args) }));
    await service.api.getLibrary({ libraryId: 4 });
    await until(() => sent.length > 0, 'the event');
    expect(sent).toEqual([[EVENT_CHANNEL, { event: 'libraryChanged', payload: { libraryId: 4, parts: ['library'] } }]]);
  });

  it('serves thumbnails through the thumb: protocol: the service names the file, main reads it inside the cache only', async () => {
    const { service, paths } = setUp();
    fs.mkdirSync(paths.cacheDir, { recursive: true });
    fs.writeFileSync(path.join(paths.cacheDir, 't.webp'), 'RIFFWEBP');
    const handler = createThumbProtocolHandler({ media: service.media, cacheDir: paths.cacheDir });
    const get = async (url: string) => {
      const res = await handler(new Request(url));
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
    };
    expect(await get('thumb://thumb/7')).toMatchObject({ status: 200, body: 'RIFFWEBP', type: 'image/webp' });
    expect(await get('thumb://thumb/8')).toMatchObject({ status: 403 });
    expect(await get('thumb://thumb/6')).toMatchObject({ status: 404 });
    expect(await get('thumb://thumb/..%2f7')).toMatchObject({ status: 400 });
    expect(await get('thumb://preview/7')).toMatchObject({ status: 200, body: 'JPEGDATA', type: 'image/jpeg' });
    expect(await get('thumb://preview/9')).toMatchObject({ status: 409, body: expect.stringContaining('changed since the last scan') });
  });

  it("runs the service's native dialogs and file-manager requests in main", async () => {
    const { service, asked } = setUp();
    expect(await service.api.showFolderDialog({})).toEqual({ path: '/picked/folder' });
    expect(asked).toEqual(['dialog Pick']);
  });

  it("forks the service's ML worker from main and relays its messages, typed arrays intact", async () => {
    const spawner = createUtilityWorkerSpawner({
      fork: forkStandIn,
      entry: path.resolve(import.meta.dirname, 'ml-host.ts'),
      tasksModule: path.resolve(import.meta.dirname, '../test/fixtures/workerTasks.ts'),
      goneGraceMs: 20,
    });
    const { service, seen } = setUp({ spawnWorker: spawner.spawn });
    const result = (await service.api.startClustering({ libraryId: 1 } as never)) as unknown as { pid: number; sum: number; values: Float32Array };
    expect(result.sum).toBe(3.5);
    expect(result.values).toBeInstanceOf(Float32Array);
    expect(result.pid).not.toBe(process.pid);
    expect(seen.ml!.pid).toBe(result.pid);
    await service.close();
    await until(() => {
      try {
        process.kill(result.pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the ML worker to end with the service');
  }, 30_000);

  it('restarts the process when it dies: calls in flight fail as unavailable, later calls reach the new one, its ML workers stop', async () => {
    const killed: number[] = [];
    const workerSpawner = () => {
      const exit = exitNotice();
      const listeners: Array<(m: FromWorker) => void> = [];
      const port: WorkerPort = {
        pid: 77,
        send: (m: ToWorker) => void (m.type === 'run' && setTimeout(() => listeners.forEach((l) => l({ type: 'progress', taskId: m.taskId, phase: 'x', done: 0, total: 1 })), 1)),
        onMessage: (l) => void listeners.push(l),
        onExit: exit.onExit,
        kill: () => (killed.push(77), exit.settle('killed')),
      };
      setTimeout(() => listeners.forEach((l) => l({ type: 'ready', pid: 77 })), 1);
      return port;
    };
    const { service, made, restarted, log, fatal } = setUp({ spawnWorker: workerSpawner });
    await service.ready;
    void service.api.startClustering({ libraryId: 1 } as never).catch(() => {});
    const stuck = service.api.getLibrary({ libraryId: 99 });
    await until(() => made[0]!.toHost.some((m) => (m as ToServiceHost).type === 'workerMessage'), 'the worker to start');
    made[0]!.die(139);
    await expect(stuck).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('restarting') });
    expect(killed).toEqual([77]);
    expect(await service.api.listLibraries({})).toEqual({ method: 'listLibraries', args: {} });
    expect(made).toHaveLength(2);
    expect(service.pid).toBe(5001);
    expect(restarted).toEqual(['exit code 139']);
    expect(log).toContain('the service process ended: exit code 139');
    expect(fatal).toEqual([]);
  });

  it('sends a call that waits through a restart to the process that opens, even when one dies while opening', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { service, made, fatal } = setUp({ opening: (n) => (n === 2 ? new Promise(() => {}) : n === 3 ? gate : Promise.resolve()) });
    await service.ready;
    made[0]!.die(1);
    await until(() => made.length === 2, 'the first restart');
    const waiting = service.api.listLibraries({});
    made[1]!.die(1);
    await until(() => made.length === 3, 'the second restart');
    release();
    expect(await waiting).toEqual({ method: 'listLibraries', args: {} });
    expect(fatal).toEqual([]);
  });

  it("names Electron's reason for the end, and gives up when the process keeps ending", async () => {
    const { service, made, fatal, log } = setUp({ maxRestarts: 2 });
    await service.ready;
    service.noteGone({ type: 'Utility', reason: 'crashed', exitCode: 1, serviceName: 'PhotoCluster ML' });
    service.noteGone({ type: 'Utility', reason: 'oom', exitCode: 137, serviceName: SERVICE_PROCESS_NAME });
    made[0]!.die(137);
    await until(() => made.length === 2, 'the first restart');
    expect(log).toContain('the service process ended: ran out of memory (exit code 137)');
    await service.api.listLibraries({});
    made[1]!.die(1);
    await until(() => made.length === 3, 'the second restart');
    await service.api.listLibraries({});
    made[2]!.die(1);
    await until(() => fatal.length > 0, 'giving up');
    expect(fatal[0]).toMatch(/keeps stopping/);
    expect(made).toHaveLength(3);
    await expect(service.api.listLibraries({})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports a service that cannot start, without restarting it', async () => {
    const { service, fatal, made, log } = setUp({ failStart: 'the database is locked by another program' });
    await expect(service.ready).rejects.toMatchObject({ code: 'unavailable' });
    expect(fatal).toEqual(['the database is locked by another program']);
    await until(() => log.some((l) => l.includes('could not start')), 'the reason in the log');
    await expect(service.api.listLibraries({})).rejects.toMatchObject({ code: 'unavailable', message: 'the database is locked by another program' });
    expect(made).toHaveLength(1);
  });

  it('closes the service before its process ends, and does not restart it', async () => {
    const { service, seen, made, restarted } = setUp();
    await service.ready;
    await service.close();
    expect(seen.closed).toBe(1);
    await until(() => made[0]!.proc.listenerCount('exit') > 0, 'exit listeners');
    await new Promise((r) => setTimeout(r, 30));
    expect(made).toHaveLength(1);
    expect(restarted).toEqual([]);
    await expect(service.api.listLibraries({})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('the service entry in a real child process', () => {
  it('opens the real service, keeps what the user did when the process is killed, and answers again after the restart', async () => {
    const photos = fs.mkdtempSync(path.join(tmp, 'photos-'));
    const paths = resolveDataPaths({ env: { PHOTOCLUSTER_DATA_DIR: fs.mkdtempSync(path.join(tmp, 'real-')) } });
    const restarted: string[] = [];
    const fatal: string[] = [];
    const log: string[] = [];
    const service = createServiceProcess({
      fork: forkStandIn,
      entry: path.resolve(import.meta.dirname, 'service-host.ts'),
      paths,
      shell: fakeShell().shell,
      spawnWorker: () => {
        throw new Error('no ML worker in this test');
      },
      log: (l) => log.push(l),
      onFatal: (m) => fatal.push(m),
      onRestarted: (r) => restarted.push(r),
      goneGraceMs: 20,
    });
    try {
      const events: unknown[] = [];
      service.on('libraryChanged', (e) => events.push(e));
      const added = await service.api.addLibrary({ root: photos });
      expect(added).toMatchObject({ root: fs.realpathSync(photos) });
      await until(() => events.length > 0, 'libraryChanged');
      const first = service.pid!;
      expect(first).not.toBe(process.pid);
      process.kill(first, 'SIGKILL');
      // A call that races the death fails as unavailable (it may or may not have run); after the restart they answer.
      await until(() => restarted.length === 1, 'the restart');
      const after = await service.api.listLibraries({});
      expect(after.map((l) => l.root)).toEqual([fs.realpathSync(photos)]);
      expect(service.pid).not.toBe(first);
      expect(restarted).toHaveLength(1);
      expect(fatal).toEqual([]);
    } finally {
      await service.close();
    }
  }, 60_000);
});
