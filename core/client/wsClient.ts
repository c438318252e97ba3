/**
 * The browser-mode client: the whole contract over one WebSocket, with events and automatic reconnection.
 * Pure TypeScript with no Node imports, so the renderer bundles it; Node tests pass the `ws` package's WebSocket.
 */
import { ApiError, METHOD_NAMES, type ApiClient, type ApiErrorCode, type EventName, type Events, type MethodName, type Unsubscribe } from '../api.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface MinimalWebSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
type WebSocketCtor = new (url: string) => MinimalWebSocket;

export interface WsClientOptions {
  /** ws://127.0.0.1:PORT/ws (the browser sends the session cookie; Node callers add ?token=). */
  url: string;
  WebSocketImpl?: WebSocketCtor;
  /** Milliseconds before a call with no answer fails. */
  callTimeoutMs?: number;
  onConnectionChange?: (state: ConnectionState) => void;
}

export interface WsClient extends ApiClient {
  readonly state: ConnectionState;
  /** Resolves when the socket is open (immediately if it already is). */
  ready(): Promise<void>;
  close(): void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createWsClient(opts: WsClientOptions): WsClient {
  const Impl = opts.WebSocketImpl ?? (globalThis as unknown as { WebSocket: WebSocketCtor }).WebSocket;
  const timeoutMs = opts.callTimeoutMs ?? 10 * 60_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  let nextId = 1;
  let socket: MinimalWebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let closedByUser = false;
  let retryMs = 250;
  let waiters: Array<() => void> = [];

  const setState = (s: ConnectionState) => {
    if (state === s) return;
    state = s;
    opts.onConnectionChange?.(s);
  };

  function connect(): void {
    setState('connecting');
    const ws = new Impl(opts.url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setState('open');
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    };
    ws.onmessage = (ev) => handleMessage(typeof ev.data === 'string' ? ev.data : String(ev.data));
    ws.onerror = () => {};
    ws.onclose = () => {
      socket = null;
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new ApiError('unavailable', 'Lost the connection to PhotoCluster; the action may not have been applied.'));
        pending.delete(id);
      }
      if (closedByUser) return setState('closed');
      setState('connecting');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  function handleMessage(text: string): void {
    let msg: { id?: number | null; ok?: boolean; result?: unknown; error?: { code: ApiErrorCode; message: string }; event?: EventName; payload?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.event) {
      listeners.get(msg.event)?.forEach((l) => l(msg.payload));
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new ApiError(msg.error?.code ?? 'internal', msg.error?.message ?? 'request failed'));
  }

  function ready(): Promise<void> {
    if (state === 'open') return Promise.resolve();
    if (closedByUser) return Promise.reject(new ApiError('unavailable', 'client closed'));
    return new Promise((resolve) => waiters.push(resolve));
  }

  async function call(method: MethodName, args: unknown): Promise<unknown> {
    await ready();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ApiError('unavailable', `${method} timed out`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      socket!.send(JSON.stringify({ id, method, args: args ?? {} }));
    });
  }

  const client = {
    get state() {
      return state;
    },
    ready,
    close() {
      closedByUser = true;
      socket?.close(1000);
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => void set!.delete(l);
    },
  } as WsClient;
  for (const name of METHOD_NAMES) {
    (client as unknown as Record<string, unknown>)[name] = (args: unknown) => call(name, args);
  }
  connect();
  return client;
}
