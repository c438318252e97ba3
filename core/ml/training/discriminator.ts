import { tf } from '../runtime/tf.js';
import type { Tensor, Tensor2D, Variable } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import { StoredVariables, VariableStore } from './layers.js';

export interface DiscriminatorConfig {
  shallowChannels: number;
  deepDim: number;
  /** Width of the two hidden 1×1 convolutions (reference code: 512). */
  hidden: number;
  seed: number;
}

/**
 * Deep InfoMax local discriminator T: three bias-free 1×1 convolutions (ReLU between) over [s ; tile(d)] at every
 * location of the shallow map. The first convolution is linear in the concatenation, so it is computed as
 * W_s·s + W_d·d: the shallow part once per map and the deep part once per vector, then added per pairing —
 * the same function as convolving the concatenation, without materialising it for every pair.
 */
export class MiDiscriminator extends StoredVariables {
  private readonly ws: Variable;
  private readonly wd: Variable;
  private readonly w2: Variable;
  private readonly w3: Variable;

  constructor(readonly config: DiscriminatorConfig) {
    super(new VariableStore(new Rng(`mi-discriminator:${config.seed}`)));
    const { shallowChannels: cs, deepDim: d, hidden: h } = config;
    // One fan-in (cs + d) for both halves of the first layer: they are slices of one [cs+d, h] kernel.
    this.ws = this.store.add('c0/kernel_shallow', [cs, h], { heNormalFanIn: cs + d });
    this.wd = this.store.add('c0/kernel_deep', [d, h], { heNormalFanIn: cs + d });
    this.w2 = this.store.add('c1/kernel', [h, h], { heNormalFanIn: h });
    this.w3 = this.store.add('c2/kernel', [h, 1], { heNormalFanIn: h });
  }

  /**
   * Scores for P pairings at once. `deepIndex[p][j]` is the deep vector paired with shallow map j in pairing p.
   * Returns [P, B, h, w].
   */
  score(shallow: Tensor, deep: Tensor2D, deepIndex: Int32Array[]): Tensor {
    return tf.tidy(() => {
      const [b, hh, ww, cs] = shallow.shape as [number, number, number, number];
      const hidden = this.config.hidden;
      const p = deepIndex.length;
      const a = tf.reshape(tf.matMul(tf.reshape(shallow, [b * hh * ww, cs]), this.ws as Tensor2D), [1, b, hh, ww, hidden]);
      const dProj = tf.matMul(deep, this.wd as Tensor2D); // [B, H]
      // Selecting rows with a one-hot matrix product keeps the backward pass to matmuls (no gather gradient).
      const sel = new Float32Array(p * b * b);
      deepIndex.forEach((idx, q) => idx.forEach((i, j) => (sel[(q * b + j) * b + i] = 1)));
      const dSel = tf.matMul(tf.tensor2d(sel, [p * b, b]), dProj); // [P·B, H]
      const h1 = tf.relu(tf.add(a, tf.reshape(dSel, [p, b, 1, 1, hidden])));
      const h2 = tf.relu(tf.matMul(tf.reshape(h1, [p * b * hh * ww, hidden]), this.w2 as Tensor2D));
      const out = tf.matMul(h2, this.w3 as Tensor2D);
      return tf.reshape(out, [p, b, hh, ww]);
    });
  }




}
