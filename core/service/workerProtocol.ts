/** Messages between the service and its ML worker process (child_process in browser mode, utilityProcess in Electron). */
import type { EpochStats } from '../api.js';

export type ToWorker =
  | { type: 'run'; taskId: number; task: string; payload: unknown }
  | { type: 'cancel'; taskId: number };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; taskId: number; phase: string; done: number; total: number; message?: string | null }
  | { type: 'epoch'; taskId: number; epochs: number; stats: EpochStats }
  | { type: 'done'; taskId: number; result: unknown }
  | { type: 'error'; taskId: number; message: string; cancelled: boolean };

/** What a task running inside the worker can do. */
export interface TaskContext {
  signal: AbortSignal;
  progress(phase: string, done: number, total: number, message?: string | null): void;
  epoch(epochs: number, stats: EpochStats): void;
}

/** A task takes the payload its name stands for (see core/ml/worker/taskTypes.ts MlTasks); the worker cannot check it. */
export type Task = (payload: never, ctx: TaskContext) => Promise<unknown>;
export type TaskRegistry = Record<string, Task>;

/** The transport-neutral view of a worker process, so Electron can supply a utilityProcess-backed one. */
export interface WorkerPort {
  readonly pid: number | undefined;
  send(msg: ToWorker): void;
  onMessage(listener: (msg: FromWorker) => void): void;
  /** Called once when the process ends, with a human-readable reason. */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

/**
 * The "called once when the process ends" half of a WorkerPort, for every transport: the first reason settles it,
 * later ones are ignored, and a listener added after the end hears the reason at once.
 */
export function exitNotice(): { settle(reason: string): void; onExit(listener: (reason: string) => void): void } {
  let reason: string | null = null;
  const listeners: Array<(reason: string) => void> = [];
  return {
    settle(next) {
      if (reason !== null) return;
      reason = next;
      listeners.splice(0).forEach((l) => l(next));
    },
    onExit(listener) {
      if (reason !== null) listener(reason);
      else listeners.push(listener);
    },
  };
}
