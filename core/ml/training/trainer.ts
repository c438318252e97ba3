import { tf } from '../runtime/tf.js';
import type { Tensor, Variable } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import type { ClusterModel, ModelSpec } from './model.js';
import { MiDiscriminator, type DiscriminatorConfig } from './discriminator.js';
import { Rmsprop } from './rmsprop.js';
import { PAPER_THRESHOLDS, PAPER_WEIGHTS, TargetTable, sampleMiPairs, type DccmLossWeights, type DccmThresholds } from './losses.js';
import { computeShard, LOSS_PART_NAMES, type LossParts, type ShardResult, type ShardTargets, type StepOptions } from './step.js';
import type { ViewProvider } from '../data/augmentedViews.js';
import { checkpointExists, putNamed, readCheckpoint, takeNamed, writeCheckpoint, type StoredArray } from './checkpoint.js';
import { predictProbabilities, recalibrateBatchNorm } from './inference.js';
import { parallelExecutor } from './dataParallel.js';
import type { BackendPreference } from '../runtime/backend.js';

export interface TrainConfig {
  epochs: number;
  /** Images per un-augmented target pass (reference: 1000). */
  bigBatch: number;
  /** Images per optimiser step (reference: 32). */
  miniBatch: number;
  /**
   * Consecutive shards each mini-batch is cut into; losses pair rows within a shard, gradients are averaged over
   * shards (so 64 images in 2 shards is two reference-size mini-batches per step). Shards can be computed by
   * gradient workers in parallel; results depend on the shard count, not on the number of workers.
   */
  shards: number;
  /** Passes over each big batch before its targets are recomputed (reference: 10). */
  passes: number;
  /** Augmented views of each mini-batch per step (the L'_PG/L'_PL/L_MI terms; reference: 2, as two steps). */
  augmentedViews: number;
  /** Also train on the un-augmented mini-batch (the L_PG + α·L_PL term of docs/DCCM.md). */
  includeOriginal: boolean;
  learningRate: number;
  rmsRho: number;
  rmsEpsilon: number;
  weights: DccmLossWeights;
  thresholds: DccmThresholds;
  /**
   * Optional curriculum: thresholds rise linearly from `thresholdWarmup.from` to `thresholds` over the first
   * `thresholdWarmup.epochs` epochs (in steps of one big batch), so that early, barely confident predictions
   * already yield some pseudo-labels and graph neighbours. Off (epochs 0) in the paper's schedule.
   */
  thresholdWarmup: { epochs: number; from: DccmThresholds };
  /** running = m·running + (1 − m)·batch. */
  bnMomentum: number;
  /**
   * Recompute BatchNorm statistics on each big batch (training-mode passes, no gradients) before its targets are
   * inferred, so targets use statistics of clean images with the current weights rather than a lagging average of
   * augmented mini-batches. Statistics are recomputed on the dataset once more when training completes.
   */
  recalibrateBatchNorm: boolean;
  /** Random non-neighbour negatives per shallow map for L_MI. */
  miNegatives: number;
  /** Hidden width of the MI discriminator's 1×1 convolutions (reference code: 512). */
  miHidden: number;
  /** Batch size for gradient-free passes (targets, statistics). */
  inferenceBatch: number;
  /**
   * Compute each step's gradients stage by stage (StepOptions.stageWise): the same objective and gradients in far
   * less memory, for one more forward pass. For large inputs on the processor backends (scratch/memoryPlan.ts).
   */
  stageWise: boolean;
  /** Images used to recompute BatchNorm statistics at the end of training. */
  finalCalibrationImages: number;
  seed: number;
}

/** The paper's and reference code's settings (CIFAR-10 config: lr 1e-4, β = 0.1 per the paper). */
export const PAPER_TRAIN_CONFIG: TrainConfig = {
  epochs: 200,
  bigBatch: 1000,
  miniBatch: 32,
  shards: 1,
  passes: 10,
  augmentedViews: 2,
  includeOriginal: true,
  learningRate: 1e-4,
  rmsRho: 0.9,
  rmsEpsilon: 1e-8,
  weights: PAPER_WEIGHTS,
  thresholds: PAPER_THRESHOLDS,
  thresholdWarmup: { epochs: 0, from: PAPER_THRESHOLDS },
  bnMomentum: 0.9,
  recalibrateBatchNorm: true,
  miNegatives: 2,
  miHidden: 512,
  inferenceBatch: 256,
  stageWise: false,
  finalCalibrationImages: 2048,
  seed: 0,
};

export interface StepEvent {
  type: 'step';
  epoch: number;
  epochs: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  step: number;
  loss: LossParts;
  /** Share of the mini-batch's samples with a pseudo-label (max probability ≥ thres2). */
  confidentShare: number;
  /** Share of the mini-batch's distinct pairs that are pseudo-graph neighbours. */
  graphPositiveShare: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface TargetsEvent {
  type: 'targets';
  epoch: number;
  bigBatch: number;
  bigBatches: number;
  images: number;
  /** Thresholds in force for this big batch (differ from the configured ones during a warm-up). */
  thresholds: DccmThresholds;
  confidentShare: number;
  graphPositiveShare: number;
  seconds: number;
}

export interface EpochSummary {
  epoch: number;
  /** Mean loss parts over the epoch's steps. */
  loss: LossParts;
  confidentShare: number;
  graphPositiveShare: number;
  steps: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface EpochEvent extends EpochSummary {
  type: 'epoch';
  epochs: number;
  etaSeconds: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  dir: string;
  reason: 'epoch' | 'cancel' | 'interval' | 'final';
  epoch: number;
  step: number;
}

export type TrainEvent = StepEvent | TargetsEvent | EpochEvent | CheckpointEvent;

/**
 * Computes one step's gradients; in-process by default, or spread over gradient workers. A mini-batch of b rows is
 * cut into consecutive shards (`shardSizes`); each shard's losses only pair rows within it, and the step's
 * gradients, loss parts and BatchNorm statistics are the means over shards.
 */
export interface GradientExecutor {
  shardSizes(rows: number): number[];
  /** `inputs` stacks the step's groups (original rows?, then each augmented view), b rows each. */
  compute(inputs: Tensor, shards: ShardTargets[], opts: StepOptions): Promise<ShardResult>;
  dispose(): Promise<void>;
}

export interface TrainOptions {
  model: ClusterModel;
  views: ViewProvider;
  config?: Partial<TrainConfig>;
  /** Where checkpoints are written (every epoch, on cancel, every `checkpointIntervalSeconds`). */
  checkpointDir?: string;
  /**
   * Continue from the checkpoint in `checkpointDir` when there is one (its settings win, except `epochs`,
   * `stageWise` and `inferenceBatch`).
   */
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  checkpointIntervalSeconds?: number;
  /**
   * Wall-clock budget: when it runs out, training ends after the current step as if the last epoch had finished
   * (BatchNorm statistics recomputed, final checkpoint written) and the result says `stoppedBy: 'time'`.
   */
  maxSeconds?: number;
  /** Worker threads computing shards in parallel (at most shards − 1 are used; 0 = all in this thread). */
  workers?: number;
  /** Modules a gradient worker imports to rebuild the model from its spec (default: the paper network's). */
  workerModelModules?: string[];
  /** Custom gradient computation; receives the discriminator the trainer built. */
  executor?: (model: ClusterModel, disc: MiDiscriminator) => GradientExecutor;
}

export interface TrainResult {
  status: 'completed' | 'cancelled';
  /** Why a completed run ended: all epochs done, or the `maxSeconds` budget. */
  stoppedBy?: 'epochs' | 'time';
  epochsCompleted: number;
  steps: number;
  history: EpochSummary[];
  seconds: number;
}

/** Position inside the schedule: the next thing to do is mini-batch `batch` of pass `pass` of big batch `chunk`. */
interface Cursor {
  epoch: number;
  chunk: number;
  pass: number;
  batch: number;
}

interface EpochAccumulator {
  sums: LossParts;
  steps: number;
  images: number;
  stepSeconds: number;
  targetConfident: number;
  targetPositive: number;
  targetChunks: number;
}

const CHECKPOINT_KIND = 'dccm-train-state';

function emptyParts(): LossParts {
  return { graph: 0, label: 0, graphAug: 0, labelAug: 0, mi: 0, total: 0 };
}

function emptyAccumulator(): EpochAccumulator {
  return { sums: emptyParts(), steps: 0, images: 0, stepSeconds: 0, targetConfident: 0, targetPositive: 0, targetChunks: 0 };
}

/** Splits `n` items into ⌈n / size⌉ nearly equal consecutive chunks; returns their start offsets (plus n). */
export function chunkBounds(n: number, size: number): number[] {
  const chunks = Math.max(1, Math.ceil(n / size));
  return Array.from({ length: chunks + 1 }, (_, i) => Math.round((i * n) / chunks));
}

export function batchesPerPass(chunkSize: number, miniBatch: number): number {
  return Math.max(1, Math.floor(chunkSize / miniBatch));
}

class LocalExecutor implements GradientExecutor {
  constructor(private readonly model: ClusterModel, private readonly disc: MiDiscriminator) {}
  shardSizes(rows: number): number[] {
    return [rows];
  }
  async compute(inputs: Tensor, shards: ShardTargets[], opts: StepOptions): Promise<ShardResult> {
    return await computeShard(this.model, this.disc, inputs, shards[0]!, opts);
  }
  async dispose(): Promise<void> {}
}

/**
 * DCCM training: for each big batch, targets from a gradient-free pass over un-augmented images, then `passes`
 * shuffled sweeps of mini-batches, each step minimising L = (L_PG + α·L_PL) + (L'_PG + α·L'_PL) + β·L_MI with
 * RMSprop. Seeded (own PRNG for shuffles, augmentation and pair sampling; its state is checkpointed), cancellable
 * between steps, and resumable to exactly the state an uninterrupted run would have reached.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const trainer = await Trainer.create(opts);
  try {
    return await trainer.run();
  } finally {
    await trainer.dispose();
  }
}

class Trainer {
  private readonly started = performance.now();
  private history: EpochSummary[] = [];
  private cursor: Cursor = { epoch: 0, chunk: 0, pass: 0, batch: 0 };
  private order: Int32Array | null = null;
  private chunkProbs: Float32Array | null = null;
  private passOrder: Int32Array | null = null;
  private acc = emptyAccumulator();
  private globalStep = 0;
  private lastCheckpoint = performance.now();
  private stepSecondsRun = 0;
  private stepsRun = 0;
  private targetSecondsRun = 0;
  private targetsRun = 0;
  private recentRate = 0;
  private readonly executor: GradientExecutor;
  private readonly named: Array<{ name: string; variable: Variable }>;

  private constructor(
    private readonly opts: TrainOptions,
    private readonly config: TrainConfig,
    private readonly disc: MiDiscriminator,
    private readonly optimizer: Rmsprop,
    private rng: Rng,
  ) {
    this.executor = opts.executor
      ? opts.executor(opts.model, disc)
      : config.shards > 1
        ? parallelExecutor({
            shards: config.shards,
            workers: Math.min(opts.workers ?? 0, config.shards - 1),
            backend: tf.getBackend() as BackendPreference,
            modelModules: opts.workerModelModules,
          })(opts.model, disc)
        : new LocalExecutor(opts.model, disc);
    this.named = [
      ...opts.model.trainableVariables().map((v) => ({ name: `model/${v.name}`, variable: v.variable })),
      ...disc.trainableVariables().map((v) => ({ name: `disc/${v.name}`, variable: v.variable })),
    ];
  }

  static async create(opts: TrainOptions): Promise<Trainer> {
    const { model, views } = opts;
    if (views.count < 2) throw new Error('training needs at least 2 images');
    if (views.inputShape.join('x') !== model.inputShape.join('x')) {
      throw new Error(`views give inputs ${views.inputShape.join('×')}, model expects ${model.inputShape.join('×')}`);
    }
    const resumeFrom = opts.resume && opts.checkpointDir && (await checkpointExists(opts.checkpointDir)) ? await readCheckpoint(opts.checkpointDir) : null;
    if (resumeFrom && resumeFrom.meta.kind !== CHECKPOINT_KIND) throw new Error(`${opts.checkpointDir} holds no training state`);
    const saved = resumeFrom?.meta as SavedMeta | undefined;
    // A checkpoint's settings win, except the number of epochs and the settings that fit the computation to this
    // machine's memory (the run may resume on another machine, or after a memory fix).
    const machine = (['epochs', 'stageWise', 'inferenceBatch'] as const).filter((k) => opts.config?.[k] !== undefined).map((k) => [k, opts.config![k]]);
    const config: TrainConfig = saved
      ? { ...PAPER_TRAIN_CONFIG, ...saved.config, ...Object.fromEntries(machine) }
      : { ...PAPER_TRAIN_CONFIG, ...opts.config };
    validateConfig(config);
    if (saved) {
      if (JSON.stringify(saved.model) !== JSON.stringify(model.spec)) {
        throw new Error(`checkpoint was made for ${JSON.stringify(saved.model)}, not ${JSON.stringify(model.spec)}`);
      }
      if (saved.datasetCount !== views.count) throw new Error(`checkpoint was made on ${saved.datasetCount} images, not ${views.count}`);
    }
    const discConfig: DiscriminatorConfig = saved?.discriminator ?? {
      shallowChannels: model.shallowChannels,
      deepDim: model.deepDim,
      hidden: config.miHidden,
      seed: config.seed,
    };
    const disc = new MiDiscriminator(discConfig);
    const optimizer = new Rmsprop({ learningRate: config.learningRate, rho: config.rmsRho, epsilon: config.rmsEpsilon });
    const trainer = new Trainer(opts, config, disc, optimizer, saved ? Rng.fromState(saved.rng) : new Rng(`train:${config.seed}`));
    if (resumeFrom && saved) trainer.restore(saved, resumeFrom.arrays);
    return trainer;
  }

  private restore(saved: SavedMeta, arrays: Map<string, StoredArray>): void {
    this.opts.model.setState(takeNamed(arrays, 'model'));
    this.disc.setState(takeNamed(arrays, 'disc'));
    this.optimizer.setState(takeNamed(arrays, 'opt'), saved.optimizerStep);
    this.cursor = { ...saved.cursor };
    this.acc = { ...saved.accumulator, sums: { ...saved.accumulator.sums } };
    this.history = saved.history.map((h) => ({ ...h, loss: { ...h.loss } }));
    this.globalStep = saved.globalStep;
    const ints = (name: string): Int32Array | null => {
      const a = arrays.get(name);
      return a && a.dtype === 'int32' ? a.values : null;
    };
    this.order = ints('cursor/order');
    this.passOrder = ints('cursor/pass_order');
    const probs = arrays.get('cursor/chunk_probs');
    this.chunkProbs = probs && probs.dtype === 'float32' ? probs.values : null;
  }

  async run(): Promise<TrainResult> {
    const { views, model, signal } = this.opts;
    const cfg = this.config;
    while (this.cursor.epoch < cfg.epochs) {
      if (!this.order) {
        this.order = Int32Array.from(this.rng.permutation(views.count));
        this.cursor = { epoch: this.cursor.epoch, chunk: 0, pass: 0, batch: 0 };
        this.acc = emptyAccumulator();
      }
      const bounds = chunkBounds(views.count, cfg.bigBatch);
      const epochStart = performance.now();
      while (this.cursor.chunk < bounds.length - 1) {
        const indices = Array.from(this.order.subarray(bounds[this.cursor.chunk]!, bounds[this.cursor.chunk + 1]!));
        await yieldToEventLoop();
        if (signal?.aborted) return await this.stop('cancel');
        if (this.outOfTime()) return await this.finishEarly();
        const loaded = await views.load(indices);
        try {
          if (!this.chunkProbs) await this.computeTargets(loaded, bounds.length - 1);
          const table = new TargetTable(this.chunkProbs!, model.k, this.thresholdsNow(bounds.length - 1));
          const nb = batchesPerPass(indices.length, cfg.miniBatch);
          while (this.cursor.pass < cfg.passes) {
            if (!this.passOrder) {
              this.passOrder = Int32Array.from(this.rng.permutation(indices.length));
              this.cursor.batch = 0;
            }
            while (this.cursor.batch < nb) {
              // Steps are synchronous backend work: yield so timers, IPC and abort requests get processed.
              await yieldToEventLoop();
              if (signal?.aborted) return await this.stop('cancel');
              if (this.outOfTime()) return await this.finishEarly();
              const size = Math.min(cfg.miniBatch, indices.length);
              const rows = Array.from(this.passOrder.subarray(this.cursor.batch * size, (this.cursor.batch + 1) * size));
              await this.step(loaded, table, rows, indices);
              this.cursor.batch++;
              if (this.opts.checkpointIntervalSeconds && performance.now() - this.lastCheckpoint > this.opts.checkpointIntervalSeconds * 1000) {
                await this.save('interval');
              }
            }
            this.passOrder = null;
            this.cursor.pass++;
            this.cursor.batch = 0;
          }
        } finally {
          loaded.dispose();
        }
        this.chunkProbs = null;
        this.cursor.chunk++;
        this.cursor.pass = 0;
      }
      const summary = this.summarise(this.cursor.epoch, (performance.now() - epochStart) / 1000);
      this.history.push(summary);
      this.order = null;
      this.cursor = { epoch: this.cursor.epoch + 1, chunk: 0, pass: 0, batch: 0 };
      const last = this.cursor.epoch >= cfg.epochs;
      if (last) await this.finalCalibration();
      this.emit({ type: 'epoch', epochs: cfg.epochs, etaSeconds: this.eta(), ...summary });
      await this.save(last ? 'final' : 'epoch');
    }
    return { ...this.result('completed'), stoppedBy: 'epochs' };
  }

  /** Thresholds for the current big batch (the warm-up curriculum, if any, is a function of the cursor). */
  private thresholdsNow(chunks: number): DccmThresholds {
    const { thresholds, thresholdWarmup: w } = this.config;
    if (!w || w.epochs <= 0) return thresholds;
    const t = Math.min(1, (this.cursor.epoch + this.cursor.chunk / chunks) / w.epochs);
    return { graph: w.from.graph + t * (thresholds.graph - w.from.graph), label: w.from.label + t * (thresholds.label - w.from.label) };
  }

  private outOfTime(): boolean {
    return this.opts.maxSeconds !== undefined && (performance.now() - this.started) / 1000 >= this.opts.maxSeconds;
  }

  /** The time budget ran out: leave the model as a finished run would (fresh BatchNorm statistics, final checkpoint). */
  private async finishEarly(): Promise<TrainResult> {
    await this.finalCalibration();
    await this.save('final');
    return { ...this.result('completed'), stoppedBy: 'time' };
  }

  private async computeTargets(loaded: Tensor, chunks: number): Promise<void> {
    const t0 = performance.now();
    const cfg = this.config;
    if (cfg.recalibrateBatchNorm) await recalibrateBatchNorm(this.opts.model, loaded, cfg.inferenceBatch);
    this.chunkProbs = await predictProbabilities(this.opts.model, loaded, cfg.inferenceBatch);
    const thresholds = this.thresholdsNow(chunks);
    const stats = new TargetTable(this.chunkProbs, this.opts.model.k, thresholds).stats();
    const seconds = (performance.now() - t0) / 1000;
    this.targetSecondsRun += seconds;
    this.targetsRun++;
    this.acc.targetConfident += stats.confidentShare;
    this.acc.targetPositive += stats.graphPositiveShare;
    this.acc.targetChunks++;
    this.emit({
      type: 'targets',
      epoch: this.cursor.epoch,
      bigBatch: this.cursor.chunk,
      bigBatches: chunks,
      images: loaded.shape[0]!,
      thresholds,
      ...stats,
      seconds,
    });
  }

  private async step(loaded: Tensor, table: TargetTable, rows: number[], chunkIndices: number[]): Promise<void> {
    const t0 = performance.now();
    const { views, model } = this.opts;
    const cfg = this.config;
    const items = rows.map((r) => chunkIndices[r]!);
    const parts: Tensor[] = [];
    if (cfg.includeOriginal) parts.push(views.original(loaded, rows));
    for (let v = 0; v < cfg.augmentedViews; v++) parts.push(await views.augmented(loaded, rows, items, this.rng));
    const inputs = parts.length === 1 ? parts[0]! : tf.concat(parts);
    if (parts.length > 1) tf.dispose(parts);
    const shards: ShardTargets[] = [];
    let offset = 0;
    for (const size of this.executor.shardSizes(rows.length)) {
      const shardRows = rows.slice(offset, offset + size);
      offset += size;
      const block = table.graphBlock(shardRows);
      shards.push({
        size,
        graph: block,
        labels: table.labels(shardRows),
        confident: table.confident(shardRows),
        miPairs: Array.from({ length: cfg.augmentedViews }, () => sampleMiPairs(block, size, cfg.miNegatives, this.rng)),
      });
    }
    const stepOpts: StepOptions = { weights: cfg.weights, includeOriginal: cfg.includeOriginal, augmentedViews: cfg.augmentedViews, ...(cfg.stageWise ? { stageWise: true } : {}) };
    let result: ShardResult;
    try {
      result = await this.executor.compute(inputs, shards, stepOpts);
    } finally {
      inputs.dispose();
    }
    this.optimizer.apply(this.named, result.grads);
    model.updateRunningStats(result.batchStats, cfg.bnMomentum);
    tf.dispose([...result.grads.values(), ...result.batchStats]);

    const seconds = (performance.now() - t0) / 1000;
    this.globalStep++;
    this.stepsRun++;
    this.stepSecondsRun += seconds;
    for (const k of LOSS_PART_NAMES) this.acc.sums[k] += result.parts[k];
    this.acc.steps++;
    this.acc.images += rows.length;
    this.acc.stepSeconds += seconds;
    const rate = rows.length / seconds;
    this.recentRate = this.recentRate ? 0.9 * this.recentRate + 0.1 * rate : rate;
    const b = rows.length;
    const graph = table.graphBlock(rows);
    let positives = 0;
    for (let i = 0; i < b; i++) for (let j = i + 1; j < b; j++) positives += graph[i * b + j]!;
    let confident = 0;
    for (const sh of shards) confident += sh.confident.reduce((a, c) => a + c, 0);
    this.emit({
      type: 'step',
      epoch: this.cursor.epoch,
      epochs: cfg.epochs,
      stepInEpoch: this.stepIndexInEpoch(),
      stepsPerEpoch: this.stepsPerEpoch(),
      step: this.globalStep,
      loss: result.parts,
      confidentShare: confident / b,
      graphPositiveShare: b > 1 ? positives / ((b * (b - 1)) / 2) : 0,
      imagesPerSecond: this.recentRate,
      etaSeconds: this.eta(),
    });
  }

  /** Recomputes BatchNorm statistics on clean images so that predictions use the final weights' statistics. */
  private async finalCalibration(): Promise<void> {
    const { views, model } = this.opts;
    const n = Math.min(views.count, this.config.finalCalibrationImages);
    if (!this.config.recalibrateBatchNorm || n < 2) return;
    const pick = new Rng(`calibration:${this.config.seed}`).permutation(views.count).slice(0, n);
    const loaded = await views.load(pick);
    try {
      await recalibrateBatchNorm(model, loaded, this.config.inferenceBatch);
    } finally {
      loaded.dispose();
    }
  }

  private stepsPerEpoch(): number {
    const bounds = chunkBounds(this.opts.views.count, this.config.bigBatch);
    let steps = 0;
    for (let c = 0; c + 1 < bounds.length; c++) steps += this.config.passes * batchesPerPass(bounds[c + 1]! - bounds[c]!, this.config.miniBatch);
    return steps;
  }

  private stepIndexInEpoch(): number {
    const bounds = chunkBounds(this.opts.views.count, this.config.bigBatch);
    let steps = 0;
    for (let c = 0; c < this.cursor.chunk; c++) steps += this.config.passes * batchesPerPass(bounds[c + 1]! - bounds[c]!, this.config.miniBatch);
    const nb = batchesPerPass(bounds[this.cursor.chunk + 1]! - bounds[this.cursor.chunk]!, this.config.miniBatch);
    return steps + this.cursor.pass * nb + this.cursor.batch + 1;
  }

  private eta(): number {
    if (!this.stepsRun) return NaN;
    const perEpoch = this.stepsPerEpoch();
    const done = this.cursor.epoch * perEpoch + Math.min(perEpoch, this.stepIndexInEpoch());
    const remainingSteps = Math.max(0, this.config.epochs * perEpoch - done);
    const chunks = chunkBounds(this.opts.views.count, this.config.bigBatch).length - 1;
    const remainingTargets = Math.max(0, (this.config.epochs - this.cursor.epoch) * chunks - this.cursor.chunk - 1);
    const perTarget = this.targetsRun ? this.targetSecondsRun / this.targetsRun : 0;
    return remainingSteps * (this.stepSecondsRun / this.stepsRun) + remainingTargets * perTarget;
  }

  private summarise(epoch: number, seconds: number): EpochSummary {
    const a = this.acc;
    const loss = emptyParts();
    for (const k of LOSS_PART_NAMES) loss[k] = a.steps ? a.sums[k] / a.steps : 0;
    return {
      epoch,
      loss,
      confidentShare: a.targetChunks ? a.targetConfident / a.targetChunks : 0,
      graphPositiveShare: a.targetChunks ? a.targetPositive / a.targetChunks : 0,
      steps: a.steps,
      imagesPerSecond: a.stepSeconds ? a.images / a.stepSeconds : 0,
      seconds,
    };
  }

  private async stop(reason: 'cancel'): Promise<TrainResult> {
    await this.save(reason);
    return this.result('cancelled');
  }

  private result(status: TrainResult['status']): TrainResult {
    return {
      status,
      epochsCompleted: this.history.length,
      steps: this.globalStep,
      history: this.history,
      seconds: (performance.now() - this.started) / 1000,
    };
  }

  private async save(reason: CheckpointEvent['reason']): Promise<void> {
    const dir = this.opts.checkpointDir;
    if (!dir) return;
    const arrays = new Map<string, StoredArray>();
    putNamed(arrays, 'model', await this.opts.model.getState());
    putNamed(arrays, 'disc', await this.disc.getState());
    putNamed(arrays, 'opt', await this.optimizer.getState());
    if (this.order) arrays.set('cursor/order', { dtype: 'int32', shape: [this.order.length], values: this.order });
    if (this.passOrder) arrays.set('cursor/pass_order', { dtype: 'int32', shape: [this.passOrder.length], values: this.passOrder });
    if (this.chunkProbs) arrays.set('cursor/chunk_probs', { dtype: 'float32', shape: [this.chunkProbs.length], values: this.chunkProbs });
    const meta: SavedMeta = {
      kind: CHECKPOINT_KIND,
      model: this.opts.model.spec,
      discriminator: this.disc.config,
      config: this.config,
      datasetCount: this.opts.views.count,
      cursor: this.cursor,
      rng: this.rng.state(),
      optimizerStep: this.optimizer.step,
      globalStep: this.globalStep,
      accumulator: this.acc,
      history: this.history,
      completed: this.cursor.epoch >= this.config.epochs,
    };
    await writeCheckpoint(dir, { meta: meta as unknown as Record<string, unknown>, arrays });
    this.lastCheckpoint = performance.now();
    this.emit({ type: 'checkpoint', dir, reason, epoch: this.cursor.epoch, step: this.globalStep });
  }

  private emit(event: TrainEvent): void {
    this.opts.onEvent?.(event);
  }

  async dispose(): Promise<void> {
    await this.executor.dispose();
    this.disc.dispose();
    this.optimizer.dispose();
  }
}

interface SavedMeta {
  kind: typeof CHECKPOINT_KIND;
  model: ModelSpec;
  discriminator: DiscriminatorConfig;
  config: TrainConfig;
  datasetCount: number;
  cursor: Cursor;
  rng: ReturnType<Rng['state']>;
  optimizerStep: number;
  globalStep: number;
  accumulator: EpochAccumulator;
  history: EpochSummary[];
  completed: boolean;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function validateConfig(c: TrainConfig): void {
  const positiveInt = (name: keyof TrainConfig): void => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
  };
  positiveInt('bigBatch');
  positiveInt('shards');
  positiveInt('miniBatch');
  positiveInt('passes');
  positiveInt('inferenceBatch');
  positiveInt('miNegatives');
  positiveInt('miHidden');
  if (!Number.isInteger(c.epochs) || c.epochs < 0) throw new Error(`epochs must be an integer ≥ 0, got ${c.epochs}`);
  if (!Number.isInteger(c.augmentedViews) || c.augmentedViews < 0) throw new Error('augmentedViews must be an integer ≥ 0');
  if (c.augmentedViews === 0 && !c.includeOriginal) throw new Error('nothing to train on: no augmented views and no original');
  if (c.miniBatch < 2 * c.shards) throw new Error('miniBatch must give every shard at least 2 rows (the pseudo-graph needs pairs)');
  if (!(c.learningRate > 0)) throw new Error('learningRate must be > 0');
}
