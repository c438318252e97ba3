/** From-scratch DCCM (the paper's network and schedule) on any ImageSource: a folder in memory or the ingest cache. */
import os from 'node:os';
import type { BackendInfo, BackendKind } from '../runtime/backend.js';
import type { ImageSource } from '../data/dataset.js';
import { createDccmNet, type DccmNet, type InputSize } from './dccmNet.js';
import { ImageViews } from '../data/augmentedViews.js';
import { PAPER_TRAIN_CONFIG, train, type TrainConfig, type TrainEvent, type TrainResult } from '../training/trainer.js';
import { inferenceBatchFor, predict, type Prediction } from '../training/inference.js';
import { isOutOfMemory, memoryBudgetBytes } from '../runtime/memory.js';
import { gb, NotEnoughMemoryError, planScratchMemory, shardRows, stageWiseFor } from './memoryPlan.js';

/**
 * Schedule per backend. GPUs and native TensorFlow run the paper's schedule. On the CPU backends a step costs
 * ~20–60× more, so the same method runs with fewer passes per big batch, one augmented view per step, a narrower
 * MI discriminator and a higher learning rate (the reference code's CIFAR-100 value); measured in bench/dccm.ts.
 * Above 32 px the CPU backends also compute steps stage by stage and pass fewer images at a time through the
 * gradient-free passes, which keeps memory bounded (scratch/memoryPlan.ts); what is learned is the same.
 */
export function recommendedTrainConfig(kind: BackendKind, inputSize: InputSize = 32): TrainConfig {
  if (kind === 'gpu' || kind === 'native') return { ...PAPER_TRAIN_CONFIG };
  const config: TrainConfig = {
    ...PAPER_TRAIN_CONFIG,
    epochs: 30,
    // Two reference-size mini-batches per step, computed on two cores when there are two (see training/dataParallel.ts).
    miniBatch: 64,
    shards: 2,
    passes: 2,
    augmentedViews: 1,
    learningRate: 1e-3,
    miHidden: 64,
  };
  return withMemorySettings(config, inputSize);
}

/** The memory settings (stage-wise steps, gradient-free batch) that fit `config` at this input size. */
export function withMemorySettings(config: TrainConfig, inputSize: InputSize): TrainConfig {
  return { ...config, inferenceBatch: inferenceBatchFor([inputSize, inputSize, 3]), stageWise: stageWiseFor(inputSize, shardRows(config)) };
}

/** Gradient worker threads worth starting: the CPU backends compute on one core each; native TF threads itself. */
export function defaultWorkers(kind: BackendKind): number {
  return kind === 'wasm' || kind === 'cpu' ? Math.max(0, os.cpus().length - 1) : 0;
}

export interface ScratchOptions {
  source: ImageSource;
  k: number;
  inputSize: InputSize;
  backend: BackendInfo;
  seed: number;
  /** Overrides the backend's recommended number of epochs. */
  epochs?: number;
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` (default: true when a checkpoint dir is given). */
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
  onPredictProgress?: (done: number, total: number) => void;
  /** Overrides of the recommended schedule (benchmarks, tests); memory settings are then fitted to the result. */
  config?: Partial<TrainConfig>;
  /** Memory this run may use (default: memoryBudgetBytes(), from the machine's memory). */
  memoryBudgetBytes?: number;
}

export interface ScratchResult {
  /** The trained network; the caller disposes it. */
  model: DccmNet;
  config: TrainConfig;
  training: TrainResult;
  predictions: Prediction[];
}

/**
 * Trains the paper's network from scratch on `source` and predicts every image; throws if cancelled, and throws
 * NotEnoughMemoryError (in plain words) when the run cannot fit in memory, before or while computing.
 */
export async function trainScratch(opts: ScratchOptions): Promise<ScratchResult> {
  const n = opts.source.count;
  if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'}; training needs at least 2`);
  if (opts.k > n) throw new Error(`k = ${opts.k} exceeds the number of images (${n})`);
  const kind = opts.backend.kind;
  let config: TrainConfig = { ...recommendedTrainConfig(kind, opts.inputSize), ...opts.config, seed: opts.seed, ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  if (kind === 'wasm' || kind === 'cpu') config = withMemorySettings(config, opts.inputSize);
  const plan = planScratchMemory({ inputSize: opts.inputSize, kind, images: n, config, workers: defaultWorkers(kind), budgetBytes: opts.memoryBudgetBytes ?? memoryBudgetBytes() });
  const model = createDccmNet({ inputSize: opts.inputSize, k: opts.k, seed: opts.seed });
  try {
    const views = new ImageViews(opts.source, opts.inputSize);
    const training = await train({
      model,
      views,
      config,
      workers: plan.workers,
      ...(opts.checkpointDir ? { checkpointDir: opts.checkpointDir, resume: opts.resume ?? true } : {}),
      signal: opts.signal,
      onEvent: opts.onEvent,
    });
    if (training.status === 'cancelled') throw new Error('training was cancelled');
    const predictions = await predict(model, views, { batchSize: config.inferenceBatch, ...(opts.onPredictProgress ? { onProgress: opts.onPredictProgress } : {}) });
    return { model, config, training, predictions };
  } catch (err) {
    model.dispose();
    if (isOutOfMemory(err)) {
      const e = plan.estimate;
      const why = (err as { details?: string }).details ?? (err as Error).message;
      throw new NotEnoughMemoryError(
        opts.inputSize,
        `ran out of memory while training at ${opts.inputSize} px on ${opts.backend.name} (${why}); estimated ${gb(e.mainBytes)} for the main thread and ${gb(e.workerBytes)} for each of ${e.workers} gradient worker(s)`,
      );
    }
    throw err;
  }
}
