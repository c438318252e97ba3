/**
 * Entry point of the ML worker process. TF.js runs here so that a crash or an out-of-memory kill takes down only
 * this process; the service notices, fails the job with the reason and starts a new worker for the next one.
 * argv[2] names the module whose `tasks` export is the task registry (core/ml/worker/tasks.ts in the product).
 */
import { pathToFileURL } from 'node:url';
import type { FromWorker, TaskContext, TaskRegistry, ToWorker } from './workerProtocol.js';

type Send = (msg: FromWorker) => void;

export async function serveTasks(tasks: TaskRegistry, send: Send, onMessage: (listener: (msg: ToWorker) => void) => void): Promise<void> {
  const controllers = new Map<number, AbortController>();
  onMessage((msg) => {
    if (msg.type === 'cancel') {
      controllers.get(msg.taskId)?.abort();
      return;
    }
    if (msg.type !== 'run') return;
    const task = tasks[msg.task];
    const { taskId } = msg;
    if (!task) {
      send({ type: 'error', taskId, message: `unknown ML task ${msg.task}`, cancelled: false });
      return;
    }
    const controller = new AbortController();
    controllers.set(taskId, controller);
    // The payload crossed a process boundary by structured clone; it is what the service's typed client sent.
    (task as (payload: unknown, ctx: TaskContext) => Promise<unknown>)(msg.payload, {
      signal: controller.signal,
      progress: (phase, done, total, message) => send({ type: 'progress', taskId, phase, done, total, message: message ?? null }),
      epoch: (epochs, stats) => send({ type: 'epoch', taskId, epochs, stats }),
    }).then(
      (result) => send({ type: 'done', taskId, result }),
      (err: unknown) => send({ type: 'error', taskId, message: (err as Error)?.message ?? String(err), cancelled: controller.signal.aborted }),
    ).finally(() => controllers.delete(taskId));
  });
  send({ type: 'ready', pid: process.pid });
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry && typeof process.send === 'function') {
  const tasksModule = process.argv[2];
  if (!tasksModule) throw new Error('mlWorker: the task module is missing from argv');
  const { tasks } = (await import(pathToFileURL(tasksModule).href)) as { tasks: TaskRegistry };
  // The parent going away (crash, kill) must not leave an orphan burning both cores.
  process.on('disconnect', () => process.exit(0));
  await serveTasks(
    tasks,
    (msg) => process.send!(msg),
    (listener) => process.on('message', (m) => listener(m as ToWorker)),
  );
}
