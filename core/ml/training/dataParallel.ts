import { Worker } from 'node:worker_threads';
import { tf } from '../runtime/tf.js';
import type { Tensor } from '../runtime/tf.js';
import type { BackendPreference } from '../runtime/backend.js';
import { OutOfMemoryError } from '../runtime/memory.js';
import type { ClusterModel } from './model.js';
import type { MiDiscriminator } from './discriminator.js';
import { computeShard, LOSS_PART_NAMES, type LossParts, type ShardResult, type ShardTargets, type StepOptions } from './step.js';
import type { GradientExecutor } from './trainer.js';
import type { InitMessage, StepMessage, WorkerReply } from './gradientWorker.js';

export interface ParallelOptions {
  /** Gradient workers besides the main thread (1 on a 2-core machine); 0 computes every shard in-process. */
  workers: number;
  /** Shards per mini-batch (default workers + 1). Results depend on this, not on how many workers compute them. */
  shards?: number;
  /** Backend each worker starts (its own instance). */
  backend: BackendPreference;
  /** Modules registering the model kind, imported by each worker (default: the paper network's). */
  modelModules?: string[];
}

/**
 * Data-parallel gradients: the mini-batch is cut into shards; worker threads (each with its own backend instance,
 * weights sent every step) compute some while the main thread computes the rest; gradients, loss parts and
 * BatchNorm statistics are averaged, weighted by shard size. Deterministic for a given backend and shard count,
 * whatever the number of workers.
 */
export function parallelExecutor(opts: ParallelOptions): (model: ClusterModel, disc: MiDiscriminator) => GradientExecutor {
  return (model, disc) => new ParallelExecutor(model, disc, opts);
}

const SOURCE_IS_TS = import.meta.url.endsWith('.ts');

function startWorker(): Worker {
  const url = new URL(`./gradientWorker.${SOURCE_IS_TS ? 'ts' : 'js'}`, import.meta.url);
  if (!SOURCE_IS_TS) return new Worker(url);
  // Running from TypeScript sources (tsx, vitest): register tsx's loader in the worker thread before importing.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

type RemoteResult = Extract<WorkerReply, { type: 'result' }>;

async function toHost(r: ShardResult): Promise<RemoteResult> {
  const read = async (t: Tensor): Promise<Float32Array> => ((await t.data()) as Float32Array).slice();
  const out: RemoteResult = {
    type: 'result',
    id: 0,
    parts: { ...r.parts },
    grads: await Promise.all([...r.grads].map(async ([k, g]) => [k, await read(g)] as [string, Float32Array])),
    batchStats: await Promise.all(r.batchStats.map(read)),
  };
  tf.dispose([...r.grads.values(), ...r.batchStats]);
  return out;
}

/**
 * Size-weighted means of shard results. BatchNorm statistics are pooled as if all shards were one batch:
 * mean = Σ wₛ·μₛ, variance = Σ wₛ·(σ²ₛ + μₛ²) − mean².
 */
function combineShards(results: RemoteResult[], weights: number[], model: ClusterModel, disc: MiDiscriminator): ShardResult {
  const shapes = new Map<string, number[]>([
    ...model.trainableVariables().map((v) => [`model/${v.name}`, v.variable.shape] as [string, number[]]),
    ...disc.trainableVariables().map((v) => [`disc/${v.name}`, v.variable.shape] as [string, number[]]),
  ]);
  const grads = new Map<string, Tensor>();
  for (const [key] of results[0]!.grads) {
    const sum = new Float32Array(results[0]!.grads.find(([k]) => k === key)![1].length);
    results.forEach((r, s) => {
      const g = r.grads.find(([k]) => k === key)?.[1];
      if (!g) throw new Error(`a shard returned no gradient for ${key}`);
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + weights[s]! * g[i]!;
    });
    grads.set(key, tf.tensor(sum, shapes.get(key)));
  }
  const batchStats: Tensor[] = [];
  const layers = results[0]!.batchStats.length;
  for (let l = 0; l < layers; l += 2) {
    const mean = new Float32Array(results[0]!.batchStats[l]!.length);
    const sq = new Float64Array(mean.length);
    results.forEach((r, s) => {
      const m = r.batchStats[l]!;
      const v = r.batchStats[l + 1]!;
      for (let c = 0; c < mean.length; c++) {
        mean[c] = mean[c]! + weights[s]! * m[c]!;
        sq[c] = sq[c]! + weights[s]! * (v[c]! + m[c]! * m[c]!);
      }
    });
    batchStats.push(tf.tensor1d(mean), tf.tensor1d(Float32Array.from(sq, (x, c) => Math.max(0, x - mean[c]! * mean[c]!))));
  }
  const parts = {} as LossParts;
  for (const k of LOSS_PART_NAMES) parts[k] = results.reduce((a, r, s) => a + weights[s]! * r.parts[k]!, 0);
  return { parts, grads, batchStats };
}

class ParallelExecutor implements GradientExecutor {
  private readonly workers: Worker[] = [];
  private ready: Promise<void>;
  private nextId = 1;

  constructor(private readonly model: ClusterModel, private readonly disc: MiDiscriminator, private readonly opts: ParallelOptions) {
    const init: InitMessage = {
      type: 'init',
      backend: opts.backend,
      model: model.spec,
      discriminator: disc.config,
      modules: opts.modelModules ?? [new URL(`../scratch/dccmNet.${SOURCE_IS_TS ? 'ts' : 'js'}`, import.meta.url).href],
    };
    const started: Promise<void>[] = [];
    for (let i = 0; i < opts.workers; i++) {
      const w = startWorker();
      this.workers.push(w);
      started.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: WorkerReply): void => {
            w.off('message', onMessage);
            if (m.type === 'ready') resolve();
            else reject(new Error(`gradient worker failed to start: ${m.type === 'error' ? m.message : m.type}`));
          };
          w.on('message', onMessage);
          w.once('error', reject);
        }),
      );
      w.postMessage(init);
    }
    this.ready = Promise.all(started).then(() => undefined);
  }

  shardSizes(rows: number): number[] {
    const n = Math.min(this.opts.shards ?? this.workers.length + 1, Math.max(1, Math.floor(rows / 2)));
    return Array.from({ length: n }, (_, i) => Math.floor(((i + 1) * rows) / n) - Math.floor((i * rows) / n));
  }

  async compute(inputs: Tensor, shards: ShardTargets[], opts: StepOptions): Promise<ShardResult> {
    await this.ready;
    const b = shards.reduce((a, s) => a + s.size, 0);
    const groups = inputs.shape[0]! / b;
    const shardInput = (offset: number, size: number): Tensor =>
      tf.tidy(() => tf.concat(Array.from({ length: groups }, (_, g) => tf.slice(inputs, g * b + offset, size))));

    const named = [
      ...this.model.trainableVariables().map((v) => [`model/${v.name}`, v.variable] as const),
      ...this.disc.trainableVariables().map((v) => [`disc/${v.name}`, v.variable] as const),
    ];
    const weights: Array<[string, Float32Array]> = await Promise.all(named.map(async ([k, v]) => [k, ((await v.data()) as Float32Array).slice()] as [string, Float32Array]));

    const offsets = shards.map((_, i) => shards.slice(0, i).reduce((a, sh) => a + sh.size, 0));
    const firstRemote = Math.max(1, shards.length - this.workers.length);
    const pending: Promise<RemoteResult>[] = [];
    for (let s = firstRemote; s < shards.length; s++) {
      const w = this.workers[s - firstRemote]!;
      const x = shardInput(offsets[s]!, shards[s]!.size);
      const msg: StepMessage = { type: 'step', id: this.nextId++, weights, inputs: ((await x.data()) as Float32Array).slice(), inputShape: x.shape, targets: shards[s]!, opts };
      x.dispose();
      pending.push(
        new Promise((resolve, reject) => {
          const onExit = (code: number): void => reject(new Error(`gradient worker exited (code ${code}) during a step`));
          const onMessage = (m: WorkerReply): void => {
            if ((m.type === 'result' || m.type === 'error') && m.id === msg.id) {
              w.off('message', onMessage);
              w.off('exit', onExit);
              if (m.type === 'result') resolve(m);
              else if (m.outOfMemory) reject(new OutOfMemoryError(`gradient worker: ${m.message}`, `in a gradient worker: ${m.details ?? m.message}`));
              else reject(new Error(`gradient worker: ${m.message}`));
            }
          };
          w.on('message', onMessage);
          w.once('exit', onExit);
        }),
      );
      w.postMessage(msg);
    }
    const localResults: RemoteResult[] = [];
    try {
      for (let s = 0; s < firstRemote; s++) {
        const x = shardInput(offsets[s]!, shards[s]!.size);
        try {
          const r = await computeShard(this.model, this.disc, x, shards[s]!, opts);
          localResults.push(await toHost(r));
        } finally {
          x.dispose();
        }
      }
    } catch (err) {
      // Let the workers finish (or fail) their shards first: a rejection nobody awaits would end the process.
      await Promise.allSettled(pending);
      throw err;
    }
    const all = [...localResults, ...(await Promise.all(pending))];
    return combineShards(all, shards.map((sh) => sh.size / b), this.model, this.disc);
  }

  async dispose(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage({ type: 'close' });
            setTimeout(() => void w.terminate(), 2000).unref();
          }),
      ),
    );
  }
}
