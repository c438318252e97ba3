import { describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES, type Api, type ApiClient } from '../core/api.js';
import { createBridge, type IpcRendererLike } from './bridge.js';
import { EVENT_CHANNEL, invokeChannel } from './channels.js';
import { registerApiHandlers, type InvokeEventLike, type IpcMainLike } from './ipc.js';

function fakeIpcRenderer(answer: (channel: string, args: unknown) => Promise<unknown>) {
  const invoked: Array<{ channel: string; args: unknown }> = [];
  let eventListener: ((event: unknown, ...args: unknown[]) => void) | null = null;
  const ipc: IpcRendererLike = {
    invoke(channel, args) {
      invoked.push({ channel, args });
      return answer(channel, args);
    },
    on(channel, listener) {
      expect(channel).toBe(EVENT_CHANNEL);
      eventListener = listener;
    },
  };
  const push = (message: unknown) => eventListener?.({ sender: 'ipc' }, message);
  return { ipc, invoked, push };
}

describe('createBridge', () => {
  it('exposes exactly the contract: every method and `on`, nothing else', () => {
    const bridge = createBridge(fakeIpcRenderer(async () => ({ ok: true, result: null })).ipc);
    expect(Object.keys(bridge).sort()).toEqual([...METHOD_NAMES, 'on'].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    // Compile-time: the bridge is the same type the WebSocket client satisfies.
    const asClient: ApiClient = bridge;
    expect(typeof asClient.listLibraries).toBe('function');
  });

  it('calls the method channel and resolves with the result', async () => {
    const { ipc, invoked } = fakeIpcRenderer(async () => ({ ok: true, result: [{ id: 1 }] }));
    const bridge = createBridge(ipc);
    await expect(bridge.listClusters({ libraryId: 3 })).resolves.toEqual([{ id: 1 }]);
    expect(invoked).toEqual([{ channel: invokeChannel('listClusters'), args: { libraryId: 3 } }]);
  });

  it('rejects with a plain { name, code, message } object that survives contextBridge', async () => {
    const bridge = createBridge(fakeIpcRenderer(async () => ({ ok: false, error: { code: 'conflict', message: 'stop the jobs first' } })).ipc);
    const err = await bridge.removeLibrary({ libraryId: 1 }).catch((e: unknown) => e);
    expect(err).toEqual({ name: 'ApiError', code: 'conflict', message: 'stop the jobs first' });
    expect(Object.getPrototypeOf(err)).toBe(Object.prototype);
  });

  it('reports a main process that is not answering as unavailable, and a malformed answer as internal', async () => {
    const down = createBridge(fakeIpcRenderer(async () => Promise.reject(new Error("No handler registered for 'x'"))).ipc);
    await expect(down.listLibraries({})).rejects.toMatchObject({ code: 'unavailable' });
    const odd = createBridge(fakeIpcRenderer(async () => 'surprise').ipc);
    await expect(odd.listLibraries({})).rejects.toMatchObject({ code: 'internal' });
  });

  it('delivers events to their listeners only, keeps going when one throws, and unsubscribes', () => {
    const { ipc, push } = fakeIpcRenderer(async () => ({ ok: true, result: null }));
    const bridge = createBridge(ipc);
    const jobs: unknown[] = [];
    const changes: unknown[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    bridge.on('job', () => {
      throw new Error('listener bug');
    });
    const stopJobs = bridge.on('job', (j) => jobs.push(j.id));
    bridge.on('libraryChanged', (c) => changes.push(c.libraryId));
    push({ event: 'job', payload: { id: 4 } });
    push({ event: 'libraryChanged', payload: { libraryId: 2, parts: [] } });
    push({ event: 'nonsense', payload: 1 });
    push(null);
    expect(jobs).toEqual([4]);
    expect(changes).toEqual([2]);
    expect(consoleError).toHaveBeenCalledTimes(1);
    stopJobs();
    push({ event: 'job', payload: { id: 5 } });
    expect(jobs).toEqual([4]);
    consoleError.mockRestore();
  });

  it('refuses unknown events and non-function listeners', () => {
    const bridge = createBridge(fakeIpcRenderer(async () => null).ipc);
    expect(() => bridge.on('secrets' as never, () => {})).toThrow(/unknown PhotoCluster event/);
    expect(() => bridge.on('job', 'alert(1)' as never)).toThrow(TypeError);
  });
});

describe('bridge and main-process handlers together', () => {
  it('carries a call through IPC with the contract validation in the main process', async () => {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
    const ipcMain: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
    const renamed: unknown[] = [];
    const api = Object.fromEntries(METHOD_NAMES.map((m) => [m, async (args: unknown) => (m === 'renameCluster' ? (renamed.push(args), { ok: 'renamed' }) : null)])) as unknown as Api;
    registerApiHandlers({ ipcMain, api, trustedWebContentsId: () => 1 });
    const ourPage: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'app://photocluster/', parent: null } };
    // Structured clone stands in for Electron's IPC serialisation.
    const ipcRenderer: IpcRendererLike = {
      invoke: async (channel, args) => structuredClone(await handlers.get(channel)!(ourPage, structuredClone(args))),
      on: () => {},
    };
    const bridge = createBridge(ipcRenderer);
    await expect(bridge.renameCluster({ clusterId: 5, name: '  Beach  ' })).resolves.toEqual({ ok: 'renamed' });
    expect(renamed).toEqual([{ clusterId: 5, name: 'Beach' }]);
    await expect(bridge.renameCluster({ clusterId: 5, name: '' })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('name is empty') });
    expect(renamed).toHaveLength(1);
  });
});
