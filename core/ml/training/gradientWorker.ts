// Worker thread that computes DCCM gradients for one shard of each mini-batch on its own TF.js backend (see
// dataParallel.ts). It keeps a replica of the model and discriminator whose weights the main thread sends every step.
import { parentPort } from 'node:worker_threads';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import { initBackend, type BackendPreference } from '../runtime/backend.js';
import { isOutOfMemory } from '../runtime/memory.js';
import { createModel, type ClusterModel, type ModelSpec } from './model.js';
import { MiDiscriminator, type DiscriminatorConfig } from './discriminator.js';
import { computeShard, type ShardTargets, type StepOptions } from './step.js';

export interface InitMessage {
  type: 'init';
  backend: BackendPreference;
  model: ModelSpec;
  discriminator: DiscriminatorConfig;
  /** Modules that register model kinds (e.g. dccmNet.js), imported before the model is built. */
  modules: string[];
}

export interface StepMessage {
  type: 'step';
  id: number;
  weights: Array<[string, Float32Array]>;
  inputs: Float32Array;
  inputShape: number[];
  targets: ShardTargets;
  opts: StepOptions;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'error'; id?: number; message: string; /** The step ran out of memory (runtime/memory.ts). */ outOfMemory?: boolean; details?: string }
  | {
      type: 'result';
      id: number;
      parts: Record<string, number>;
      grads: Array<[string, Float32Array]>;
      batchStats: Float32Array[];
    };

let model: ClusterModel | undefined;
let disc: MiDiscriminator | undefined;
let variables = new Map<string, tf.Variable>();

async function init(msg: InitMessage): Promise<void> {
  await initBackend(msg.backend);
  for (const m of msg.modules) await import(m);
  model = createModel(msg.model);
  disc = new MiDiscriminator(msg.discriminator);
  variables = new Map([
    ...model.trainableVariables().map((v) => [`model/${v.name}`, v.variable] as const),
    ...disc.trainableVariables().map((v) => [`disc/${v.name}`, v.variable] as const),
  ]);
}

async function step(msg: StepMessage): Promise<WorkerReply> {
  if (!model || !disc) throw new Error('worker not initialised');
  tf.tidy(() => {
    for (const [name, values] of msg.weights) {
      const v = variables.get(name);
      if (!v) throw new Error(`worker has no variable ${name}`);
      v.assign(tf.tensor(values, v.shape, 'float32'));
    }
  });
  const inputs = tf.tensor(msg.inputs, msg.inputShape, 'float32');
  try {
    const r = await computeShard(model, disc, inputs, msg.targets, msg.opts);
    // Copies (slice) so the buffers can be transferred without detaching backend memory.
    const read = async (t: Tensor): Promise<Float32Array> => ((await t.data()) as Float32Array).slice();
    const grads = await Promise.all([...r.grads].map(async ([k, g]) => [k, await read(g)] as [string, Float32Array]));
    const batchStats = await Promise.all(r.batchStats.map(read));
    tf.dispose([...r.grads.values(), ...r.batchStats]);
    return { type: 'result', id: msg.id, parts: { ...r.parts }, grads, batchStats };
  } finally {
    inputs.dispose();
  }
}

parentPort?.on('message', (msg: InitMessage | StepMessage | { type: 'close' }) => {
  if (msg.type === 'close') {
    model?.dispose();
    disc?.dispose();
    parentPort?.close();
    return;
  }
  if (msg.type === 'init') {
    init(msg).then(
      () => parentPort?.postMessage({ type: 'ready' } satisfies WorkerReply),
      (err: Error) => parentPort?.postMessage({ type: 'error', message: err.message } satisfies WorkerReply),
    );
    return;
  }
  step(msg).then(
    (reply) => {
      const transfer = reply.type === 'result' ? [...reply.grads.map(([, a]) => a.buffer), ...reply.batchStats.map((a) => a.buffer)] : [];
      parentPort?.postMessage(reply, transfer as ArrayBuffer[]);
    },
    (err: Error) =>
      parentPort?.postMessage({
        type: 'error',
        id: msg.id,
        message: err.message,
        ...(isOutOfMemory(err) ? { outOfMemory: true, details: (err as { details?: string }).details ?? err.message } : {}),
      } satisfies WorkerReply),
  );
});
