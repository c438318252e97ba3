/**
 * The ML worker's tasks as typed calls. The task name and its payload and result types are tied together once, by
 * MlTasks, instead of each caller naming a task by string and asserting what comes back.
 */
import { isJobPhase, type JobPhase } from '../api.js';
import type { AssignTaskPayload, AssignTaskResult, ClusterTaskPayload, ClusterTaskResult, MlTasks } from '../ml/worker/taskTypes.js';
import type { SuggestNamesTaskPayload, SuggestNamesTaskResult } from '../ml/names/nameGroups.js';
import type { MlHost, RunOptions } from './mlHost.js';

export interface MlCallOptions extends Omit<RunOptions, 'onProgress'> {
  onProgress?: (p: { phase: JobPhase; done: number; total: number; message?: string | null }) => void;
}

export interface MlClient {
  /** Features, training and predictions for a whole library (fine-tune or from scratch). */
  cluster(payload: ClusterTaskPayload, opts?: MlCallOptions): Promise<ClusterTaskResult>;
  /** Predictions for new photos with a run's saved model, without training. */
  assign(payload: AssignTaskPayload, opts?: MlCallOptions): Promise<AssignTaskResult>;
  /** A suggested name per group from the backbone's ImageNet classifier (names nothing when it cannot be had). */
  suggestNames(payload: SuggestNamesTaskPayload, opts?: MlCallOptions): Promise<SuggestNamesTaskResult>;
  /** The backend the worker ran its last task on in this session; null before its first task. */
  readonly backend: string | null;
}

export function mlClient(host: MlHost): MlClient {
  let backend: string | null = null;
  const call =
    <T extends keyof MlTasks>(task: T) =>
    async (payload: MlTasks[T]['payload'], { onProgress, ...opts }: MlCallOptions = {}) => {
      const result = await host.run<MlTasks[T]['result']>(task, payload, {
        ...opts,
        // The worker's messages carry the phase as text; the product's tasks only send JobPhase values (tasks.ts).
        onProgress: (p) => {
          if (isJobPhase(p.phase)) onProgress?.({ ...p, phase: p.phase });
        },
      });
      backend = result.backend;
      return result;
    };
  return {
    cluster: call('cluster'),
    assign: call('assign'),
    suggestNames: call('suggestNames'),
    get backend() {
      return backend;
    },
  };
}
