import { describe, expect, it } from 'vitest';
import { ApiError, EVENT_NAMES, METHOD_NAMES, type Api, type ApiClient, type EventName, type Events } from '../core/api.js';
import type { RpcOutcome } from '../core/rpc.js';
import { EVENT_CHANNEL, invokeChannel } from './channels.js';
import { checkSender, forwardEvents, registerApiHandlers, type InvokeEventLike, type IpcMainLike } from './ipc.js';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  return { ipc, handlers };
}

/** An Api whose every method records its (validated) arguments; `getLibrary` of id 13 fails like a bug would. */
function recordingApi() {
  const calls: Array<{ method: string; args: unknown }> = [];
  const api = Object.fromEntries(
    METHOD_NAMES.map((m) => [
      m,
      async (args: unknown) => {
        calls.push({ method: m, args });
        if (m === 'getLibrary' && (args as { libraryId: number }).libraryId === 13) throw new Error('disk on fire at /home/me/secret');
        if (m === 'getJob') throw new ApiError('not_found', 'no job 5');
        return { method: m };
      },
    ]),
  ) as unknown as Api;
  return { api, calls };
}

const WINDOW_ID = 7;
const trustedEvent = (url = 'app://photocluster/index.html'): InvokeEventLike => ({ sender: { id: WINDOW_ID }, senderFrame: { url, parent: null } });

/** Minimal valid arguments for every method, so the registration test can call each one. */
const VALID_ARGS: Record<string, unknown> = {
  updateSettings: { k: 'auto' },
  addLibrary: { root: '/photos' },
  removeLibrary: { libraryId: 1 },
  getLibrary: { libraryId: 1 },
  listScanErrors: { libraryId: 1 },
  browseFolders: {},
  showFolderDialog: {},
  scanLibrary: { libraryId: 1 },
  startClustering: { libraryId: 1 },
  listJobs: {},
  getJob: { jobId: 1 },
  cancelJob: { jobId: 1 },
  resumeJob: { jobId: 1 },
  listRuns: { libraryId: 1 },
  listClusters: { libraryId: 1 },
  listPhotos: { libraryId: 1 },
  getPhoto: { photoId: 1 },
  getEmbeddings: { libraryId: 1 },
  listNearDuplicates: { libraryId: 1 },
  renameCluster: { clusterId: 1, name: 'Cats' },
  movePhotos: { photoIds: [1], to: { clusterId: 2 } },
  mergeClusters: { clusterIds: [1, 2] },
  splitCluster: { clusterId: 1, n: 2 },
  setClusterHidden: { clusterId: 1, hidden: true },
  rejectPhotos: { clusterId: 1, photoIds: [1] },
  acceptPhotos: { photoIds: [1] },
  undo: { libraryId: 1 },
  redo: { libraryId: 1 },
  listHistory: { libraryId: 1 },
  previewExport: { libraryId: 1, clusterIds: [1], destination: '/out' },
  startExport: { libraryId: 1, clusterIds: [1], destination: '/out' },
  revealExport: { jobId: 1 },
  openPhoto: { photoId: 1 },
};

describe('registerApiHandlers', () => {
  it('registers exactly one handler per contract method, and each reaches the service', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { api, calls } = recordingApi();
    registerApiHandlers({ ipcMain: ipc, api, trustedWebContentsId: () => WINDOW_ID });
    expect([...handlers.keys()].sort()).toEqual(METHOD_NAMES.map(invokeChannel).sort());
    for (const method of METHOD_NAMES) {
      const outcome = (await handlers.get(invokeChannel(method))!(trustedEvent(), VALID_ARGS[method] ?? {})) as RpcOutcome;
      if (method === 'getJob') expect(outcome).toEqual({ ok: false, error: { code: 'not_found', message: 'no job 5' } });
      else expect(outcome, method).toEqual({ ok: true, result: { method } });
    }
    expect(calls.map((c) => c.method)).toEqual([...METHOD_NAMES]);
    // Defaults from the schemas are filled in before the service sees the call.
    expect(calls.find((c) => c.method === 'listPhotos')!.args).toMatchObject({ libraryId: 1, filter: 'all', offset: 0, limit: 500 });
  });

  it('waits for the service when it is still opening', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { api } = recordingApi();
    let open!: (a: Api) => void;
    registerApiHandlers({ ipcMain: ipc, api: new Promise<Api>((r) => (open = r)), trustedWebContentsId: () => WINDOW_ID });
    const pending = handlers.get(invokeChannel('listLibraries'))!(trustedEvent(), {}) as Promise<RpcOutcome>;
    open(api);
    expect(await pending).toEqual({ ok: true, result: { method: 'listLibraries' } });
  });

  it('refuses calls that do not come from our window showing our page, without touching the service', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { api, calls } = recordingApi();
    const log: string[] = [];
    let windowId: number | null = WINDOW_ID;
    registerApiHandlers({ ipcMain: ipc, api, trustedWebContentsId: () => windowId, log: (l) => log.push(l) });
    const call = (event: InvokeEventLike) => handlers.get(invokeChannel('removeLibrary'))!(event, { libraryId: 1 }) as Promise<RpcOutcome>;
    const untrusted: InvokeEventLike[] = [
      { sender: { id: 99 }, senderFrame: { url: 'app://photocluster/', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://photocluster/', parent: { url: 'app://photocluster/' } } },
      { sender: { id: WINDOW_ID }, senderFrame: null },
      trustedEvent('https://evil.example/'),
      trustedEvent('file:///home/me/page.html'),
      trustedEvent('app://elsewhere/'),
      trustedEvent('app://user:pw@photocluster/'),
      trustedEvent('thumb://thumb/1'),
      trustedEvent('not a url'),
    ];
    for (const event of untrusted) {
      const outcome = await call(event);
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.error.code).toBe('forbidden');
    }
    windowId = null;
    expect((await call(trustedEvent())).ok).toBe(false);
    expect(calls).toEqual([]);
    expect(log).toHaveLength(untrusted.length + 1);
    expect(log[0]).toMatch(/refused IPC call removeLibrary: web contents 99/);
  });

  it('rejects bad arguments with the contract schemas before the service sees them', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { api, calls } = recordingApi();
    registerApiHandlers({ ipcMain: ipc, api, trustedWebContentsId: () => WINDOW_ID });
    const bad: Array<[string, unknown]> = [
      ['getLibrary', { libraryId: '1' }],
      ['getLibrary', { libraryId: -1 }],
      ['getLibrary', { libraryId: 1, path: '/etc' }],
      ['addLibrary', { root: 'a\0b' }],
      ['renameCluster', { clusterId: 1, name: '   ' }],
      ['movePhotos', { photoIds: [], to: { clusterId: 1 } }],
      ['getLibrary', 'not an object'],
      ['listLibraries', { extra: true }],
    ];
    for (const [method, args] of bad) {
      const outcome = (await handlers.get(invokeChannel(method as never))!(trustedEvent(), args)) as RpcOutcome;
      expect(outcome.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      expect(!outcome.ok && outcome.error.code).toBe('bad_request');
    }
    expect(calls).toEqual([]);
  });

  it('turns unexpected failures into a generic error (no stack, no path) and logs the detail', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { api } = recordingApi();
    const log: string[] = [];
    registerApiHandlers({ ipcMain: ipc, api, trustedWebContentsId: () => WINDOW_ID, log: (l) => log.push(l) });
    const outcome = (await handlers.get(invokeChannel('getLibrary'))!(trustedEvent(), { libraryId: 13 })) as RpcOutcome;
    expect(outcome).toEqual({ ok: false, error: { code: 'internal', message: expect.not.stringContaining('/home/me') } });
    expect(log.join('\n')).toContain('disk on fire');
  });

  it('removes every handler it registered', () => {
    const { ipc, handlers } = fakeIpcMain();
    const dispose = registerApiHandlers({ ipcMain: ipc, api: recordingApi().api, trustedWebContentsId: () => WINDOW_ID });
    expect(handlers.size).toBe(METHOD_NAMES.length);
    dispose();
    expect(handlers.size).toBe(0);
  });
});

describe('checkSender', () => {
  it('accepts our page on any in-app route', () => {
    expect(checkSender(trustedEvent('app://photocluster/groups/3?sort=name#top'), WINDOW_ID)).toEqual({ trusted: true });
  });
});

describe('forwardEvents', () => {
  function fakeSource() {
    const listeners = new Map<EventName, Set<(p: unknown) => void>>();
    const source: Pick<ApiClient, 'on'> = {
      on(event, listener) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener as (p: unknown) => void);
        return () => void listeners.get(event)!.delete(listener as (p: unknown) => void);
      },
    };
    const emit = <E extends EventName>(event: E, payload: Events[E]) => listeners.get(event)?.forEach((l) => l(payload));
    return { source, emit, listeners };
  }

  it('sends every contract event to the window on one channel and stops when asked', () => {
    const { source, emit, listeners } = fakeSource();
    const sent: unknown[][] = [];
    let destroyed = false;
    const wc = { id: 1, isDestroyed: () => destroyed, send: (...args: unknown[]) => sent.push(args) };
    const stop = forwardEvents(source, () => wc);
    expect([...listeners.keys()].sort()).toEqual([...EVENT_NAMES].sort());
    const payload = { libraryId: 2, parts: ['clusters' as const] };
    emit('libraryChanged', payload);
    expect(sent).toEqual([[EVENT_CHANNEL, { event: 'libraryChanged', payload }]]);
    destroyed = true;
    emit('libraryChanged', payload);
    expect(sent).toHaveLength(1);
    stop();
    expect([...listeners.values()].every((s) => s.size === 0)).toBe(true);
  });

  it('drops events while there is no window', () => {
    const { source, emit } = fakeSource();
    forwardEvents(source, () => null);
    expect(() => emit('libraryChanged', { libraryId: 1, parts: [] })).not.toThrow();
  });
});
