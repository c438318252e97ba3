/**
 * Messages between the main process and the service's utility process (service-host.ts). Requests carry a number
 * and are answered with the same number, in both directions: main asks for contract calls and photo bytes, the
 * service asks for what only main can do (native dialogs, the file manager, forking the ML worker).
 *
 * Only structured-cloneable values cross (no Error objects: failures travel as code/status and message).
 */
import type { EventName, MethodName } from '../core/api.js';
import type { DataPaths } from '../core/paths.js';
import type { RpcOutcome } from '../core/rpc.js';
import type { ShellIntegration } from '../core/service/types.js';
import type { FromWorker, ToWorker } from '../core/service/workerProtocol.js';

/** Named by Electron's `child-process-gone` details, so a crash report says which of our processes ended. */
export const SERVICE_PROCESS_NAME = 'PhotoCluster Service';

export type ShellOp = keyof ShellIntegration;
export const SHELL_OPS: readonly ShellOp[] = ['showFolderDialog', 'revealPath', 'openPath'];

export type MediaOp = 'thumbnailFile' | 'previewImage';

/** A photo's bytes or the reason there are none; `status` is a MediaError's, absent for an unexpected failure. */
export type MediaOutcome = { ok: true; result: unknown } | { ok: false; status?: number; message: string };

export type ShellOutcome = { ok: true; result: unknown } | { ok: false; message: string };

/** main → service process. */
export type ToServiceHost =
  | { type: 'start'; paths: DataPaths }
  | { type: 'call'; id: number; method: MethodName; args: unknown }
  | { type: 'media'; id: number; op: MediaOp; photoId: number }
  | { type: 'shellAnswer'; id: number; outcome: ShellOutcome }
  | { type: 'workerMessage'; workerId: number; msg: FromWorker }
  | { type: 'workerExit'; workerId: number; reason: string }
  | { type: 'close' };

/** service process → main. */
export type FromServiceHost =
  | { type: 'ready' }
  | { type: 'startFailed'; message: string }
  | { type: 'answer'; id: number; outcome: RpcOutcome }
  | { type: 'mediaAnswer'; id: number; outcome: MediaOutcome }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'shell'; id: number; op: ShellOp; arg: string | undefined }
  | { type: 'spawnWorker'; workerId: number }
  | { type: 'workerSend'; workerId: number; msg: ToWorker }
  | { type: 'killWorker'; workerId: number }
  | { type: 'log'; line: string }
  | { type: 'closed' };
