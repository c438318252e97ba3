/**
 * How much memory from-scratch training of the paper network needs on the processor backends, and the settings that
 * keep it bounded at 64 and 96 px. The figures are wasm memory high-water marks measured with tfjs-backend-wasm 4.22
 * (one measurement per fresh thread: the memory never shrinks), so they include the allocator's overhead.
 */
import type { BackendKind } from '../runtime/backend.js';
import { WASM_HEAP_LIMIT_BYTES } from '../runtime/memory.js';
import type { TrainConfig } from '../training/trainer.js';
import type { InputSize } from './dccmNet.js';

const MB = 2 ** 20;

/**
 * Measured MB per row: of one shard's step in one recorded pass and stage by stage (64 rows: 32 images and their
 * augmented views), and per image of an inference pass and of a BatchNorm recalibration pass (32 images). The one
 * pass at 96 px could not be measured (it exceeds 4 GiB); it is extrapolated from 64 px by the activation area.
 */
export const MEASURED_MB_PER_ROW: Record<InputSize, { onePass: number; staged: number; predict: number; recalibrate: number }> = {
  32: { onePass: 5.7, staged: 3.8, predict: 0.65, recalibrate: 1.2 },
  64: { onePass: 25.9, staged: 16.7, predict: 5.2, recalibrate: 7.9 },
  96: { onePass: 59.6, staged: 35.3, predict: 10.4, recalibrate: 18.6 },
};

/** The runtime, model and discriminator before any batch (measured: 16 MB). */
const BASE_BYTES = 16 * MB;
/** Room for fragmentation on long runs and for measurement noise. */
const MARGIN = 1.15;
/** A step is computed in one recorded pass (the fastest) only when that needs at most this much. */
export const ONE_PASS_BUDGET_BYTES = 1024 * MB;

/** Rows of one shard's forward/backward pass: its images times the views of each (original, augmented). */
export function shardRows(config: Pick<TrainConfig, 'miniBatch' | 'shards' | 'includeOriginal' | 'augmentedViews'>): number {
  return Math.ceil(config.miniBatch / config.shards) * ((config.includeOriginal ? 1 : 0) + config.augmentedViews);
}

/** Bytes one shard's step needs, computed in one recorded pass or stage by stage. */
export function stepBytes(inputSize: InputSize, rows: number, stageWise: boolean): number {
  const m = MEASURED_MB_PER_ROW[inputSize];
  return BASE_BYTES + rows * (stageWise ? m.staged : m.onePass) * MB;
}

/**
 * Whether a step should be computed stage by stage (training/step.ts): the objective and the gradients are the same
 * either way, but one recorded pass keeps the activations and gradients of the whole network alive together, which
 * at 64 px and above needs gigabytes; stage by stage costs one more forward pass.
 */
export function stageWiseFor(inputSize: InputSize, rows: number): boolean {
  return stepBytes(inputSize, rows, false) > ONE_PASS_BUDGET_BYTES;
}

export interface ScratchMemoryEstimate {
  /** The thread that drives training: targets, BatchNorm recalibration, prediction, its own shards. */
  mainBytes: number;
  /** Each gradient worker thread (its own backend instance). */
  workerBytes: number;
  workers: number;
  totalBytes: number;
}

/** Peak memory of a from-scratch run on a processor backend with this (memory-adjusted) config. */
export function estimateScratchMemory(inputSize: InputSize, images: number, config: TrainConfig, workers: number): ScratchMemoryEstimate {
  const m = MEASURED_MB_PER_ROW[inputSize];
  const rows = shardRows(config);
  const step = stepBytes(inputSize, rows, config.stageWise);
  const inference = BASE_BYTES + config.inferenceBatch * Math.max(m.predict, config.recalibrateBatchNorm ? m.recalibrate : 0) * MB;
  // The big batch being trained on stays loaded (float32) next to whatever runs.
  const loaded = Math.min(images, config.bigBatch) * inputSize * inputSize * 3 * 4;
  const mainBytes = MARGIN * (Math.max(step, inference) + loaded);
  const usedWorkers = Math.min(workers, config.shards - 1);
  const workerBytes = usedWorkers > 0 ? MARGIN * step : 0;
  return { mainBytes, workerBytes, workers: usedWorkers, totalBytes: mainBytes + usedWorkers * workerBytes };
}

/** Training needs more memory than there is; the message is for the user, `details` for the log. */
export class NotEnoughMemoryError extends Error {
  /** Sizes that would need less memory. */
  readonly smallerSizes: InputSize[];

  constructor(
    readonly inputSize: InputSize,
    readonly details: string,
  ) {
    const smaller = ([32, 64, 96] as InputSize[]).filter((s) => s < inputSize);
    super(
      smaller.length
        ? `There is not enough memory to train at ${inputSize} px on the processor. Use a smaller size (${smaller.join(' or ')} px).`
        : 'There is not enough memory to train on the processor. Close other programs and try again, or use a computer with more memory.',
    );
    this.name = 'NotEnoughMemoryError';
    this.smallerSizes = smaller;
  }
}

export interface ScratchMemoryPlan {
  /** Gradient workers to start: fewer than asked when their memory does not fit (results do not depend on it). */
  workers: number;
  estimate: ScratchMemoryEstimate;
}

/** Bytes as gigabytes with one decimal, for messages and logs. */
export function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}

/**
 * Checks a from-scratch run on a processor backend against the memory there is, before anything is computed:
 * with fewer gradient workers when that is enough, else throws NotEnoughMemoryError. On the wasm backend each
 * thread's memory is also capped at 4 GiB, whatever the machine has.
 */
export function planScratchMemory(opts: { inputSize: InputSize; kind: BackendKind; images: number; config: TrainConfig; workers: number; budgetBytes: number }): ScratchMemoryPlan {
  const { inputSize, kind, images, config, budgetBytes } = opts;
  let estimate = estimateScratchMemory(inputSize, images, config, opts.workers);
  if (kind !== 'wasm' && kind !== 'cpu') return { workers: opts.workers, estimate };
  const what = `${inputSize} px, ${shardRows(config)} rows a shard${config.stageWise ? ' (stage by stage)' : ''}, ${config.inferenceBatch} images a pass`;
  if (kind === 'wasm' && Math.max(estimate.mainBytes, estimate.workerBytes) > WASM_HEAP_LIMIT_BYTES) {
    throw new NotEnoughMemoryError(inputSize, `${what}: needs about ${gb(estimate.mainBytes)} in one thread; the wasm backend allows ${gb(WASM_HEAP_LIMIT_BYTES)}`);
  }
  while (estimate.totalBytes > budgetBytes && estimate.workers > 0) estimate = estimateScratchMemory(inputSize, images, config, estimate.workers - 1);
  if (estimate.totalBytes > budgetBytes) {
    throw new NotEnoughMemoryError(inputSize, `${what}: needs about ${gb(estimate.totalBytes)}; this computer has ${gb(budgetBytes)} to spare for it`);
  }
  return { workers: estimate.workers, estimate };
}
