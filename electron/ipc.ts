/**
 * The contract over Electron IPC, main side. Every method in METHOD_NAMES gets a handler; each call is checked for
 * where it came from (our window, its top frame, our own page) and then goes through `dispatch`, which validates the
 * arguments with the same schemas as the browser-mode server. Nothing here imports `electron`: main.ts passes in
 * `ipcMain`, so plain-Node tests drive it with fakes.
 */
import { EVENT_NAMES, METHOD_NAMES, type Api, type ApiClient, type EventName, type Events, type MethodName, type Unsubscribe } from '../core/api.js';
import { dispatch, type RpcOutcome } from '../core/rpc.js';
import { APP_HOST, APP_SCHEME, EVENT_CHANNEL, invokeChannel } from './channels.js';

/** The parts of Electron's `WebFrameMain` the sender check reads. */
export interface FrameLike {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

/** The parts of Electron's `IpcMainInvokeEvent` the handlers read. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

/** True for a URL of our own renderer page (`app://photocluster/...`). */
export function isAppPageUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // URL.origin is "null" for non-special schemes in Node, so compare the parts.
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/**
 * Accepts a call only from the main window's web contents, from its top frame, while it shows our page. A page that
 * was navigated elsewhere, an iframe, or another window (a devtools extension, a future second window) is refused.
 */
export function checkSender(event: InvokeEventLike, trustedWebContentsId: number | null): SenderVerdict {
  if (trustedWebContentsId === null) return { trusted: false, reason: 'no window is open' };
  if (event.sender?.id !== trustedWebContentsId) return { trusted: false, reason: `web contents ${event.sender?.id} is not the PhotoCluster window` };
  const frame = event.senderFrame;
  if (!frame) return { trusted: false, reason: 'the calling frame is gone' };
  if (frame.parent !== null && frame.parent !== undefined) return { trusted: false, reason: 'calls from sub-frames are not accepted' };
  if (!isAppPageUrl(frame.url)) return { trusted: false, reason: `the calling page ${JSON.stringify(frame.url.slice(0, 100))} is not PhotoCluster's` };
  return { trusted: true };
}

export interface RegisterOptions {
  ipcMain: IpcMainLike;
  /** Resolves to the service once it is open; calls made before that wait for it. */
  api: Api | Promise<Api>;
  /** The id of the window's web contents, or null when there is none. */
  trustedWebContentsId(): number | null;
  log?: (line: string) => void;
}

/** Registers one handler per contract method; returns a function that removes them all. */
export function registerApiHandlers(opts: RegisterOptions): () => void {
  const log = opts.log ?? (() => {});
  const channels: string[] = [];
  for (const method of METHOD_NAMES) {
    const channel = invokeChannel(method);
    opts.ipcMain.handle(channel, async (event, args): Promise<RpcOutcome> => {
      const verdict = checkSender(event, opts.trustedWebContentsId());
      if (!verdict.trusted) {
        log(`refused IPC call ${method}: ${verdict.reason}`);
        return { ok: false, error: { code: 'forbidden', message: 'This call is only accepted from the PhotoCluster window.' } };
      }
      const api = await opts.api;
      return dispatch(api, method, args, (err, m: MethodName) => log(`api ${m} failed: ${(err as Error)?.stack ?? String(err)}`));
    });
    channels.push(channel);
  }
  return () => channels.forEach((c) => opts.ipcMain.removeHandler(c));
}

/** Sends every contract event to the window while it exists; returns a function that stops forwarding. */
export function forwardEvents(source: Pick<ApiClient, 'on'>, target: () => WebContentsLike | null): Unsubscribe {
  const stops = EVENT_NAMES.map((event) =>
    source.on(event, (payload: Events[EventName]) => {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, { event, payload });
    }),
  );
  return () => stops.forEach((stop) => stop());
}
