/**
 * The ML worker's tasks as typed calls. The task name and its payload and result types are tied together once, by
 * MlTasks, instead of each caller naming a task by string and asserting what comes back.
 */
import type { AssignTaskPayload, AssignTaskResult, ClusterTaskPayload, ClusterTaskResult, MlTasks } from '../ml/taskTypes.js';
import type { MlHost, RunOptions } from './mlHost.js';

export interface MlClient {
  /** Features, training and predictions for a whole library (fine-tune or from scratch). */
  cluster(payload: ClusterTaskPayload, opts?: RunOptions): Promise<ClusterTaskResult>;
  /** Predictions for new photos with a run's saved model, without training. */
  assign(payload: AssignTaskPayload, opts?: RunOptions): Promise<AssignTaskResult>;
}

export function mlClient(host: MlHost): MlClient {
  const call =
    <T extends keyof MlTasks>(task: T) =>
    (payload: MlTasks[T]['payload'], opts?: RunOptions) =>
      host.run<MlTasks[T]['result']>(task, payload, opts);
  return { cluster: call('cluster'), assign: call('assign') };
}
