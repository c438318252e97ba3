import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../../../core/api.js';
import type { ConnectionState, Platform } from '../platform.js';
import { EpochStore, startSync } from './sync.js';

const PlatformContext = createContext<Platform | null>(null);
const EpochContext = createContext<EpochStore | null>(null);

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
  action?: { label: string; run: () => void };
}
interface Notifier {
  notify(text: string, opts?: { tone?: Notice['tone']; action?: Notice['action'] }): void;
  dismiss(id: number): void;
  notices: Notice[];
}
const NoticeContext = createContext<Notifier | null>(null);
/** How long a notice stays; an error a little longer, to be read. */
export const NOTICE_MS: Readonly<Record<Notice['tone'], number>> = { info: 5_000, error: 9_000 };

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Events tell us when data changes; there is no need to poll or refetch on focus.
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        retry: (count, err) => count < 2 && (err as { code?: string })?.code === 'unavailable',
        gcTime: 5 * 60_000,
      },
      mutations: { retry: false },
    },
  });
}

export function AppProviders({ platform, queryClient, children }: { platform: Platform; queryClient: QueryClient; children: ReactNode }) {
  const epochs = useMemo(() => new EpochStore(), []);
  useEffect(() => startSync(platform.api, queryClient, epochs), [platform, queryClient, epochs]);
  // Events may have been missed while the socket was down: re-read everything on reconnect.
  useEffect(() => {
    let last = platform.connection.get();
    return platform.connection.subscribe(() => {
      const now = platform.connection.get();
      if (now === 'open' && last !== 'open') void queryClient.invalidateQueries();
      last = now;
    });
  }, [platform, queryClient]);

  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((n) => n.filter((x) => x.id !== id)), []);
  const notify = useCallback<Notifier['notify']>(
    (text, opts) => {
      const id = Date.now() + Math.random();
      // One at a time: a new notice replaces the last, and every notice goes away by itself.
      setNotices([{ id, text, tone: opts?.tone ?? 'info', ...(opts?.action ? { action: opts.action } : {}) }]);
      window.setTimeout(() => dismiss(id), NOTICE_MS[opts?.tone ?? 'info']);
    },
    [dismiss],
  );
  const notifier = useMemo(() => ({ notify, dismiss, notices }), [notify, dismiss, notices]);

  return (
    <PlatformContext.Provider value={platform}>
      <EpochContext.Provider value={epochs}>
        <NoticeContext.Provider value={notifier}>
          <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
        </NoticeContext.Provider>
      </EpochContext.Provider>
    </PlatformContext.Provider>
  );
}

function need<T>(v: T | null, what: string): T {
  if (v === null) throw new Error(`${what} used outside AppProviders`);
  return v;
}

export const usePlatform = (): Platform => need(useContext(PlatformContext), 'usePlatform');
export const useApi = (): ApiClient => usePlatform().api;
export const useEpochStore = (): EpochStore => need(useContext(EpochContext), 'useEpochStore');
export const useNotices = (): Notifier => need(useContext(NoticeContext), 'useNotices');

export function useConnectionState(): ConnectionState {
  const { connection } = usePlatform();
  return useSyncExternalStore(connection.subscribe, connection.get, connection.get);
}

export function useEpochs(jobId: number | null) {
  const store = useEpochStore();
  return useSyncExternalStore(store.subscribe, () => store.get(jobId), () => store.get(jobId));
}

/** The message to show for a failed call: ApiError messages are written for the user. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err && typeof (err as Error).message === 'string') return (err as Error).message;
  return String(err);
}
