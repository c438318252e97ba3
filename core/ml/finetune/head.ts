/**
 * The fine-tune mode's clustering network: a DCCM head on cached backbone features. Its input is one cached view
 * per row, `[embedding ; shallow]` flattened; the embedding goes through an MLP to K logits (the deep feature, as in
 * the paper's network), and the backbone's shallow grid map is the shallow tap of the triplet mutual-information term.
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor2D, Tensor4D, Variable } from '../tf.js';
import { Rng } from '../rng.js';
import { BatchNorm, BatchNormNetwork, VariableStore } from '../layers.js';
import { registerModelKind, type ClusterModel, type ForwardOutput, type ModelSpec } from '../model.js';

export interface FeatureHeadConfig {
  /** Width of the backbone's pooled embedding. */
  embeddingDim: number;
  /** [grid, grid, channels] of the backbone's pooled shallow map. */
  shallowShape: [number, number, number];
  /** Hidden layer widths of the MLP (each Linear → BatchNorm → ReLU). */
  hidden: number[];
  k: number;
  seed: number;
}

export const FEATURE_HEAD_KIND = 'feature-head';

export class FeatureHead extends BatchNormNetwork implements ClusterModel {
  readonly spec: ModelSpec;
  readonly k: number;
  readonly inputShape: number[];
  readonly shallowChannels: number;
  readonly deepDim: number;
  private readonly shallowDim: number;
  private readonly kernels: Variable[];
  protected readonly bns: BatchNorm[];

  constructor(readonly config: FeatureHeadConfig) {
    const { embeddingDim: d, shallowShape, hidden, k } = config;
    if (!Number.isInteger(k) || k < 2) throw new Error(`k must be an integer ≥ 2, got ${k}`);
    if (!(d > 0) || shallowShape.some((s) => !(s > 0))) throw new Error('feature head needs positive embedding and shallow sizes');
    super(new VariableStore(new Rng(`feature-head:${config.seed}`)));
    this.spec = { kind: FEATURE_HEAD_KIND, config: { ...config, shallowShape: [...shallowShape], hidden: [...hidden] } };
    this.k = k;
    this.deepDim = k;
    this.shallowChannels = shallowShape[2];
    this.shallowDim = shallowShape[0] * shallowShape[1] * shallowShape[2];
    this.inputShape = [d + this.shallowDim];
    const widths = [d, ...hidden, k];
    this.kernels = widths.slice(1).map((w, i) => this.store.add(`fc${i + 1}/kernel`, [widths[i]!, w], { heNormalFanIn: widths[i]! }));
    // The shallow map's own BatchNorm puts backbone activations (ReLU outputs of arbitrary scale) on the scale the
    // discriminator expects; it comes first so its statistics lead `batchStats`.
    this.bns = [new BatchNorm(this.store, 'shallow/bn', this.shallowChannels), ...widths.slice(1).map((w, i) => new BatchNorm(this.store, `fc${i + 1}/bn`, w))];
  }

  forward(x: Tensor, training: boolean): ForwardOutput {
    const stats: Tensor[] | undefined = training ? [] : undefined;
    const [g1, g2, c] = this.config.shallowShape;
    const d = this.config.embeddingDim;
    const n = x.shape[0]!;
    const [shallowBn, ...fcBns] = this.bns as [BatchNorm, ...BatchNorm[]];
    const rawShallow = tf.reshape(tf.slice(x, [0, d], [n, this.shallowDim]), [n, g1, g2, c]);
    const shallow = shallowBn.apply(rawShallow, training, stats) as Tensor4D;
    // Unit-length embeddings: cosine geometry, which separates backbone features better than raw distances.
    let h = tf.slice(x, [0, 0], [n, d]) as Tensor2D;
    h = tf.div(h, tf.sqrt(tf.maximum(tf.sum(tf.square(h), 1, true), 1e-12)));
    const last = this.kernels.length - 1;
    this.kernels.forEach((kernel, i) => {
      h = fcBns[i]!.apply(tf.matMul(h, kernel as Tensor2D), training, stats, i < last) as Tensor2D;
    });
    const logits = h;
    return { logits, probs: tf.softmax(logits), deep: logits, shallow, ...(stats ? { batchStats: stats } : {}) };
  }
}

export function createFeatureHead(config: FeatureHeadConfig): FeatureHead {
  return new FeatureHead(config);
}

registerModelKind(FEATURE_HEAD_KIND, (config) => createFeatureHead(config as unknown as FeatureHeadConfig));
