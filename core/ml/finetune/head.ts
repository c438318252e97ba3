/**
 * The fine-tune mode's clustering network: a DCCM head on cached backbone features. Its input is one cached view
 * per row, `[embedding ; shallow]` flattened; the embedding goes through an MLP to K logits (the deep feature, as in
 * the paper's network), and the backbone's shallow grid map is the shallow tap of the triplet mutual-information term.
 */
import { partitionMeans } from '../kmeans/kmeans.js';
import { tf } from '../runtime/tf.js';
import type { Tensor, Tensor2D, Tensor4D, Variable } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import { BatchNorm, BatchNormNetwork, BN_EPSILON, VariableStore } from '../training/layers.js';
import { registerModelKind, type ClusterModel, type ForwardOutput, type ModelSpec } from '../training/model.js';

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

  /** The last hidden layer's activations in inference mode (the input of the output layer). */
  hiddenFeatures(x: Tensor): Tensor2D {
    return tf.tidy(() => this.run(x, false, undefined, this.kernels.length - 1));
  }

  /** Sets the output layer's kernel and its BatchNorm (scale, offset and running statistics). */
  setOutputLayer(layer: { kernel: Float32Array; gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array }): void {
    const last = this.kernels.length - 1;
    const bn = this.bns[this.bns.length - 1]!;
    tf.tidy(() => {
      this.kernels[last]!.assign(tf.tensor2d(layer.kernel, this.kernels[last]!.shape as [number, number]));
      bn.gamma.assign(tf.tensor1d(layer.gamma));
      bn.beta.assign(tf.tensor1d(layer.beta));
      bn.runningMean.assign(tf.tensor1d(layer.mean));
      bn.runningVar.assign(tf.tensor1d(layer.variance));
    });
  }

  /** The embedding through the first `layers` layers of the MLP. */
  private run(x: Tensor, training: boolean, stats: Tensor[] | undefined, layers: number): Tensor2D {
    const d = this.config.embeddingDim;
    const n = x.shape[0]!;
    const fcBns = this.bns.slice(1);
    // Unit-length embeddings: cosine geometry, which separates backbone features better than raw distances.
    let h = tf.slice(x, [0, 0], [n, d]) as Tensor2D;
    h = tf.div(h, tf.sqrt(tf.maximum(tf.sum(tf.square(h), 1, true), 1e-12)));
    const last = this.kernels.length - 1;
    for (let i = 0; i < layers; i++) h = fcBns[i]!.apply(tf.matMul(h, this.kernels[i] as Tensor2D), training, stats, i < last) as Tensor2D;
    return h;
  }

  forward(x: Tensor, training: boolean): ForwardOutput {
    const stats: Tensor[] | undefined = training ? [] : undefined;
    const [g1, g2, c] = this.config.shallowShape;
    const d = this.config.embeddingDim;
    const n = x.shape[0]!;
    const rawShallow = tf.reshape(tf.slice(x, [0, d], [n, this.shallowDim]), [n, g1, g2, c]);
    const shallow = this.bns[0]!.apply(rawShallow, training, stats) as Tensor4D;
    const logits = this.run(x, training, stats, this.kernels.length);
    return { logits, probs: tf.softmax(logits), deep: logits, shallow, ...(stats ? { batchStats: stats } : {}) };
  }
}

export function createFeatureHead(config: FeatureHeadConfig): FeatureHead {
  return new FeatureHead(config);
}

registerModelKind(FEATURE_HEAD_KIND, (config) => createFeatureHead(config as unknown as FeatureHeadConfig));

/**
 * Starts the head at a partition of the photos (e.g. k-means on their embeddings): the output layer becomes a soft
 * nearest-centroid assignment to the partition's centroids in the head's hidden space (logit_c = s·(h·c − |c|²/2)),
 * with the temperature s chosen so that about `confidentShare` of the photos start above the pseudo-label threshold.
 * DCCM's own pseudo-labels then start from a sensible grouping rather than from a random projection, which on small
 * folders is the difference between refining k-means and drifting below it (bench/finetune.ts).
 */
export async function initFromPartition(head: FeatureHead, inputs: Tensor, partition: Int32Array, opts: { labelThreshold: number; confidentShare?: number }): Promise<void> {
  const n = inputs.shape[0]!;
  const k = head.k;
  if (partition.length !== n) throw new Error(`partition has ${partition.length} labels for ${n} inputs`);
  const hidden = head.hiddenFeatures(inputs);
  const dim = hidden.shape[1];
  const h = (await hidden.data()) as Float32Array;
  hidden.dispose();
  const { means: centroids, sizes } = partitionMeans(h, n, dim, partition, k);
  const kernel = new Float32Array(dim * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < dim; j++) kernel[j * k + c] = centroids[c * dim + j]!;
  const half = Float64Array.from({ length: k }, (_, c) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += centroids[c * dim + j]! ** 2;
    // An empty part must never win: put its centroid infinitely far.
    return sizes[c] ? s / 2 : 1e9;
  });
  // z = H·Cᵀ and its per-column statistics over the photos.
  const z = new Float64Array(n * k);
  const mean = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += h[i * dim + j]! * centroids[c * dim + j]!;
      z[i * k + c] = s;
      mean[c]! += s / n;
    }
  }
  const variance = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) variance[c]! += (z[i * k + c]! - mean[c]!) ** 2 / n;
  const confidentAt = (scale: number): number => {
    let confident = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, scale * (z[i * k + c]! - half[c]!));
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(scale * (z[i * k + c]! - half[c]!) - max);
      if (1 / sum >= opts.labelThreshold) confident++;
    }
    return confident / n;
  };
  // The confident share grows with the temperature s: bisect on log10 s.
  const target = opts.confidentShare ?? 0.5;
  let lo = -4;
  let hi = 6;
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    if (confidentAt(10 ** mid) < target) lo = mid;
    else hi = mid;
  }
  const scale = 10 ** hi;
  // BatchNorm with γ = s·σ and β = s·(μ − |c|²/2) turns the standardised z back into s·(z − |c|²/2).
  head.setOutputLayer({
    kernel,
    gamma: Float32Array.from(variance, (v) => scale * Math.sqrt(v + BN_EPSILON)),
    beta: Float32Array.from(mean, (m, c) => scale * (m - half[c]!)),
    mean: Float32Array.from(mean),
    variance: Float32Array.from(variance),
  });
}
