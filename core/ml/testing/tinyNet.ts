import { tf } from '../runtime/tf.js';
import type { Tensor, Tensor2D, Tensor4D, Variable } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import { BatchNorm, BatchNormNetwork, VariableStore } from '../training/layers.js';
import { registerModelKind, type ClusterModel, type ForwardOutput, type ModelSpec } from '../training/model.js';
import type { TrainConfig } from '../training/trainer.js';

/** A training schedule small enough for the tiny net on the slow backends (cpu, WebGPU on SwiftShader): 24 images. */
export const TINY_TRAIN_CONFIG: Partial<TrainConfig> = {
  epochs: 3,
  bigBatch: 12,
  miniBatch: 4,
  passes: 2,
  augmentedViews: 1,
  learningRate: 1e-2,
  miHidden: 8,
  inferenceBatch: 8,
  seed: 5,
  // Low thresholds so that pseudo-labels and graph positives actually occur on random data.
  thresholds: { graph: 0.6, label: 0.3 },
};

/**
 * A ClusterModel small enough for the plain cpu backend (8×8 inputs, a few thousand weights), used by tests of the
 * model-agnostic machinery (trainer, checkpoints, prediction). Same structure as the paper's network: convolutions
 * with BatchNorm + ReLU, a shallow tap after the first block, BatchNorm'd logits.
 */
export interface TinyNetConfig {
  k: number;
  seed: number;
}

export const TINY_NET_KIND = 'tiny-test-net';

export class TinyNet extends BatchNormNetwork implements ClusterModel {
  readonly spec: ModelSpec;
  readonly k: number;
  readonly inputShape = [8, 8, 3];
  readonly shallowChannels = 6;
  readonly deepDim: number;
  private readonly c1: Variable;
  private readonly c2: Variable;
  private readonly fc: Variable;
  protected readonly bns: BatchNorm[];

  constructor(config: TinyNetConfig) {
    super(new VariableStore(new Rng(`tiny:${config.seed}`)));
    this.spec = { kind: TINY_NET_KIND, config: { ...config } };
    this.k = config.k;
    this.deepDim = config.k;
    this.c1 = this.store.add('c1/kernel', [3, 3, 3, 6], { heNormalFanIn: 27 });
    this.c2 = this.store.add('c2/kernel', [3, 3, 6, 12], { heNormalFanIn: 54 });
    this.fc = this.store.add('fc/kernel', [12, config.k], { heNormalFanIn: 12 });
    this.bns = [new BatchNorm(this.store, 'c1/bn', 6), new BatchNorm(this.store, 'c2/bn', 12), new BatchNorm(this.store, 'fc/bn', config.k)];
  }

  forward(x: Tensor, training: boolean): ForwardOutput {
    const stats: Tensor[] | undefined = training ? [] : undefined;
    const [b1, b2, b3] = this.bns as [BatchNorm, BatchNorm, BatchNorm];
    const shallow = b1.apply(tf.conv2d(x as Tensor4D, this.c1 as Tensor4D, 1, 'valid'), training, stats, true) as Tensor4D;
    const h = b2.apply(tf.conv2d(tf.maxPool(shallow, 2, 2, 'valid'), this.c2 as Tensor4D, 1, 'valid'), training, stats, true);
    const logits = b3.apply(tf.matMul(tf.mean(h, [1, 2]) as Tensor2D, this.fc as Tensor2D), training, stats) as Tensor2D;
    return { logits, probs: tf.softmax(logits), deep: logits, shallow, ...(stats ? { batchStats: stats } : {}) };
  }






}

registerModelKind(TINY_NET_KIND, (config) => new TinyNet(config as unknown as TinyNetConfig));
