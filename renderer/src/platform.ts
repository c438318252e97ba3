/**
 * The one place that knows which shell the renderer runs in. Electron's preload exposes the contract as
 * `window.photocluster`; in browser mode the page talks to the server it was loaded from over `/ws` (the session
 * cookie set at launch authenticates the socket). Photos are only ever addressed by opaque id.
 */
import type { ApiClient, Unsubscribe } from '../../core/api.js';
import { createWsClient, type ConnectionState } from '../../core/client/wsClient.js';

export type { ConnectionState };

declare global {
  interface Window {
    /** The Electron preload bridge: exactly the contract. */
    photocluster?: ApiClient;
  }
}

export interface Platform {
  kind: 'electron' | 'browser';
  api: ApiClient;
  connection: {
    get(): ConnectionState;
    subscribe(listener: () => void): Unsubscribe;
  };
  thumbUrl(photoId: number): string;
  previewUrl(photoId: number): string;
}

/** A tiny observable for the connection state, readable with useSyncExternalStore. */
export function connectionStore(initial: ConnectionState) {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next: ConnectionState) {
      if (next === state) return;
      state = next;
      listeners.forEach((l) => l());
    },
    subscribe(listener: () => void): Unsubscribe {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export function createPlatform(win: Window = window): Platform {
  const bridge = win.photocluster;
  if (bridge) {
    // In Electron the bridge is in-process IPC: always connected. Media come from the `thumb:` protocol.
    const store = connectionStore('open');
    return {
      kind: 'electron',
      api: bridge,
      connection: { get: store.get, subscribe: store.subscribe },
      thumbUrl: (id) => `thumb://thumb/${id}`,
      previewUrl: (id) => `thumb://preview/${id}`,
    };
  }
  const store = connectionStore('connecting');
  const client = createWsClient({ url: webSocketUrl(win.location), onConnectionChange: store.set });
  store.set(client.state);
  return {
    kind: 'browser',
    api: client,
    connection: { get: store.get, subscribe: store.subscribe },
    thumbUrl: (id) => `/thumb/${id}`,
    previewUrl: (id) => `/preview/${id}`,
  };
}
