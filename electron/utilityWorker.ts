/**
 * The ML worker inside an Electron utility process: adapts `process.parentPort` to the core's `serveTasks`, the same
 * loop the Node child process of browser mode runs. Kept apart from the entry file (ml-host.ts) so plain-Node tests
 * can run it with a stand-in port.
 */
import { pathToFileURL } from 'node:url';
import { serveTasks } from '../core/service/mlWorker.js';
import type { TaskRegistry, ToWorker } from '../core/service/workerProtocol.js';
import { TASKS_FLAG } from './utilityWorkerPort.js';

/** The parts of Electron's `ParentPort` used here: messages arrive wrapped as `{ data }`. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export function tasksModuleFromArgv(argv: readonly string[]): string {
  const flag = argv.find((a) => a.startsWith(TASKS_FLAG));
  const value = flag?.slice(TASKS_FLAG.length);
  if (!value) throw new Error(`the ML worker needs ${TASKS_FLAG}<task module> on its command line`);
  return value;
}

export async function runUtilityWorker(
  port: ParentPortLike,
  argv: readonly string[],
  load: (modulePath: string) => Promise<{ tasks?: TaskRegistry }> = (p) => import(pathToFileURL(p).href),
): Promise<void> {
  const modulePath = tasksModuleFromArgv(argv);
  // Listen before the (slow, TF.js-loading) import so nothing the service sends meanwhile is lost.
  const early: ToWorker[] = [];
  let deliver: ((msg: ToWorker) => void) | null = null;
  port.on('message', (event) => (deliver ? deliver(event.data as ToWorker) : early.push(event.data as ToWorker)));
  const { tasks } = await load(modulePath);
  if (!tasks || typeof tasks !== 'object') throw new Error(`${modulePath} does not export a task registry named "tasks"`);
  await serveTasks(
    tasks,
    (msg) => port.postMessage(msg),
    (listener) => {
      deliver = listener;
      // After serveTasks has announced 'ready', as a fresh worker would.
      queueMicrotask(() => early.splice(0).forEach(listener));
    },
  );
}
