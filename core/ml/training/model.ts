import type { Tensor, Tensor2D, Tensor4D, Variable } from '../runtime/tf.js';

/** What a clustering network gives the DCCM losses for one batch. */
export interface ForwardOutput {
  /** Pre-softmax output [N, K]. */
  logits: Tensor2D;
  /** softmax(logits) [N, K]: the cluster-assignment vector z. */
  probs: Tensor2D;
  /** Deep feature d for the mutual-information term [N, D] (for the paper's network: the logits). */
  deep: Tensor2D;
  /** Shallow feature map s for the mutual-information term [N, h, w, C]. */
  shallow: Tensor4D;
  /**
   * Training mode only: each BatchNorm layer's batch mean and variance, in `batchStatNames()` order. The trainer
   * folds them into the running statistics after the step (averaged over shards when gradients are computed in
   * parallel), so a forward pass never mutates the model.
   */
  batchStats?: Tensor[];
}

/**
 * The training-mode forward pass as a chain of stages: stage i maps stage i−1's output (stage 0: the input) to its
 * own, and `outputs(shallow, last)` — the output of stage `shallow` and of the last stage — gives what
 * `forward(x, true)` gives. Each stage pushes its BatchNorm statistics onto `stats` (when given), so that the stages
 * in order push them in `batchStatNames()` order. A model that offers this lets a step be computed stage by stage
 * (training/step.ts), which bounds its memory.
 */
export interface TrainingStages {
  stages: Array<(x: Tensor, stats?: Tensor[]) => Tensor>;
  /** Index of the stage whose output is the shallow feature map. */
  shallow: number;
  /** The forward output; meant to be cheap (e.g. a softmax), as it is recorded with the losses. */
  outputs: (shallow: Tensor, last: Tensor) => Omit<ForwardOutput, 'batchStats'>;
}

/** Plain serialisable description that rebuilds an identical (untrained) model through `createModel`. */
export interface ModelSpec {
  kind: string;
  config: Record<string, unknown>;
}

/** Host arrays keyed by local variable name, e.g. "conv1/kernel" (what checkpoints and worker messages carry). */
export type NamedArrays = Map<string, { shape: number[]; values: Float32Array }>;

/**
 * The small interface the trainer, the losses, prediction and checkpoints need from a network. The paper's CNN
 * (`createDccmNet`) implements it; a fine-tune head on backbone features can implement it too and reuse everything.
 */
export interface ClusterModel {
  readonly spec: ModelSpec;
  /** Number of clusters K. */
  readonly k: number;
  /** Shape of one input sample, e.g. [32, 32, 3] for images or [1024] for feature vectors. */
  readonly inputShape: number[];
  /** Shallow-map channels and deep-feature width (sizes the mutual-information discriminator). */
  readonly shallowChannels: number;
  readonly deepDim: number;
  forward(x: Tensor, training: boolean): ForwardOutput;
  /** Optional: the training-mode forward pass as stages (see TrainingStages). */
  trainingStages?(): TrainingStages;
  /** Variables the optimiser updates, with their local names. */
  trainableVariables(): Array<{ name: string; variable: Variable }>;
  /** Local names of the BatchNorm layers, matching `ForwardOutput.batchStats` (mean, variance per layer). */
  batchStatNames(): string[];
  /** running = momentum·running + (1−momentum)·batch, for every BatchNorm layer. */
  updateRunningStats(batchStats: Tensor[], momentum: number): void;
  /** All state needed for inference and for resuming: weights and BatchNorm running statistics. */
  getState(): Promise<NamedArrays>;
  setState(state: NamedArrays): void;
  dispose(): void;
}

export type ModelFactory = (config: Record<string, unknown>) => ClusterModel;

const factories = new Map<string, ModelFactory>();

/** Lets checkpoints and gradient workers rebuild a model from its spec. */
export function registerModelKind(kind: string, factory: ModelFactory): void {
  factories.set(kind, factory);
}

export function createModel(spec: ModelSpec): ClusterModel {
  const factory = factories.get(spec.kind);
  if (!factory) throw new Error(`unknown model kind "${spec.kind}" (registered: ${[...factories.keys()].join(', ') || 'none'})`);
  return factory(spec.config);
}
