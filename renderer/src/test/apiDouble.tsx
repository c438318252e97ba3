/** Test helpers for component tests: an ApiClient double whose methods are vi.fn()s, and a render wrapper. */
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi, type Mock } from 'vitest';
import { ApiError, METHOD_NAMES, type ApiClient, type EventName, type Events, type MethodName } from '../../../core/api.js';
import { AppProviders, makeQueryClient } from '../data/context.js';
import { connectionStore, type ConnectionState, type Platform } from '../platform.js';

export type ApiDouble = ApiClient & { [M in MethodName]: Mock } & { emit<E extends EventName>(e: E, p: Events[E]): void };

export function apiDouble(overrides: Partial<Record<MethodName, (args: any) => unknown>> = {}): ApiDouble {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const api = {} as Record<string, unknown>;
  for (const m of METHOD_NAMES) {
    const impl = overrides[m];
    api[m] = vi.fn(async (args: unknown) => {
      if (!impl) throw new ApiError('unsupported', `${m} not stubbed`);
      return impl(args);
    });
  }
  api.on = (event: EventName, l: (p: unknown) => void) => {
    let s = listeners.get(event);
    if (!s) listeners.set(event, (s = new Set()));
    s.add(l);
    return () => void s!.delete(l);
  };
  api.emit = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return api as unknown as ApiDouble;
}

export function renderWithApi(ui: ReactNode, api: ApiClient, state: ConnectionState = 'open') {
  const store = connectionStore(state);
  const platform: Platform = {
    kind: 'browser',
    api,
    connection: { get: store.get, subscribe: store.subscribe },
    thumbUrl: (id) => `/thumb/${id}`,
    previewUrl: (id) => `/preview/${id}`,
  };
  const queryClient = makeQueryClient();
  const result = render(
    <AppProviders platform={platform} queryClient={queryClient}>
      {ui}
    </AppProviders>,
  );
  return { ...result, connection: store, queryClient };
}
