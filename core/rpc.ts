import { ApiError, isMethodName, toWireError, validateArgs, type Api, type ApiErrorCode, type MethodName } from './api.js';

export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: { code: ApiErrorCode; message: string } };

/**
 * Calls `method` on `api` with untrusted `args`: the transport-neutral heart of every front end's entry point
 * (WebSocket, HTTP, Electron IPC). Unknown methods and invalid arguments never reach the implementation.
 */
export async function dispatch(api: Api, method: unknown, args: unknown, onInternalError?: (err: unknown, method: MethodName) => void): Promise<RpcOutcome> {
  if (!isMethodName(method)) return { ok: false, error: { code: 'bad_request', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } };
  try {
    const valid = validateArgs(method, args);
    const fn = api[method] as (a: unknown) => Promise<unknown>;
    return { ok: true, result: await fn.call(api, valid) };
  } catch (err) {
    if (!(err instanceof ApiError)) onInternalError?.(err, method);
    return { ok: false, error: toWireError(err) };
  }
}
