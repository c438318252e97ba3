/**
 * The renderer's side of the contract over Electron IPC: the object the preload exposes as `window.photocluster`.
 * It is the same `ApiClient` type as the browser-mode WebSocket client, so the renderer cannot tell them apart.
 *
 * Errors: contextBridge copies a thrown Error but drops its own properties, so `code` would be lost. Calls therefore
 * reject with a plain `{ name: 'ApiError', code, message }` object — the same fields the WebSocket client's ApiError
 * carries, which is all the renderer reads.
 */
import { EVENT_NAMES, METHOD_NAMES, type Api, type ApiClient, type ApiErrorCode, type EventName, type Events, type MethodName, type Unsubscribe } from '../core/api.js';
import type { RpcOutcome } from '../core/rpc.js';
import { EVENT_CHANNEL, invokeChannel } from './channels.js';

/** The parts of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface BridgeError {
  name: 'ApiError';
  code: ApiErrorCode;
  message: string;
}

function bridgeError(code: ApiErrorCode, message: string): BridgeError {
  return { name: 'ApiError', code, message };
}

function isOutcome(value: unknown): value is RpcOutcome {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function createBridge(ipc: IpcRendererLike): ApiClient {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  ipc.on(EVENT_CHANNEL, (_event, message) => {
    const { event, payload } = (message ?? {}) as { event?: unknown; payload?: unknown };
    const set = typeof event === 'string' ? listeners.get(event as EventName) : undefined;
    // One failing listener must not keep the others from hearing the event.
    set?.forEach((listener) => {
      try {
        listener(payload);
      } catch (err) {
        console.error(`photocluster: a listener for ${String(event)} threw`, err);
      }
    });
  });

  async function call(method: MethodName, args: unknown): Promise<unknown> {
    let outcome: unknown;
    try {
      outcome = await ipc.invoke(invokeChannel(method), args ?? {});
    } catch {
      throw bridgeError('unavailable', 'PhotoCluster is not ready to answer yet; try again in a moment.');
    }
    if (!isOutcome(outcome)) throw bridgeError('internal', `${method}: malformed answer from the main process`);
    if (outcome.ok) return outcome.result;
    throw bridgeError(outcome.error.code, outcome.error.message);
  }

  const methods = Object.fromEntries(METHOD_NAMES.map((method) => [method, (args: unknown) => call(method, args)])) as unknown as Api;

  function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new TypeError(`unknown PhotoCluster event ${JSON.stringify(String(event))}`);
    if (typeof listener !== 'function') throw new TypeError('the listener must be a function');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => void set.delete(l);
  }

  return Object.freeze({ ...methods, on } satisfies ApiClient);
}
