/**
 * The names shared by the main process and the preload bridge. One IPC channel per contract method (registered from
 * METHOD_NAMES, so a method cannot exist on the bridge without a handler) and one channel for all events.
 */
import type { MethodName } from '../core/api.js';

const INVOKE_PREFIX = 'photocluster:call:';

export function invokeChannel(method: MethodName): string {
  return INVOKE_PREFIX + method;
}

/** main → renderer: `{ event, payload }` for every contract event. */
export const EVENT_CHANNEL = 'photocluster:event';

/** The renderer's origin: a standard, secure custom scheme (see protocols.ts for why not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'photocluster';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** Thumbnails and previews by opaque photo id: `thumb://thumb/<id>`, `thumb://preview/<id>` (the renderer's platform module builds these). */
export const THUMB_SCHEME = 'thumb';
