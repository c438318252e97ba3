import { tf } from '../runtime/tf.js';
import type { Tensor, Variable } from '../runtime/tf.js';
import type { NamedArrays } from './model.js';

export interface RmspropConfig {
  learningRate: number;
  /** Smoothing constant of the squared-gradient average (reference code: 0.9). */
  rho: number;
  epsilon: number;
}

/**
 * RMSprop as in PyTorch (the reference implementation): v ← ρ·v + (1−ρ)·g², θ ← θ − lr·g / (√v + ε).
 * Written out rather than using tf.train.rmsprop because its slot variables are matched to model variables by
 * position and it adds an unused momentum slot; here every slot is keyed by the variable's local name, which makes
 * checkpoint/resume exact and lets gradients computed elsewhere (averaged worker gradients) be applied directly.
 */
export class Rmsprop {
  private readonly squareAvg = new Map<string, Variable>();
  step = 0;

  constructor(readonly config: RmspropConfig) {}

  apply(variables: Array<{ name: string; variable: Variable }>, grads: Map<string, Tensor>): void {
    const { learningRate: lr, rho, epsilon } = this.config;
    tf.tidy(() => {
      for (const { name, variable } of variables) {
        const g = grads.get(name);
        if (!g) continue;
        let v = this.squareAvg.get(name);
        if (!v) {
          v = tf.variable(tf.zerosLike(variable), false);
          this.squareAvg.set(name, v);
        }
        const nextV = tf.add(tf.mul(v, rho), tf.mul(tf.square(g), 1 - rho));
        v.assign(nextV);
        variable.assign(tf.sub(variable, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(nextV), epsilon))));
      }
    });
    this.step++;
  }

  async getState(): Promise<NamedArrays> {
    const out: NamedArrays = new Map();
    for (const [name, v] of this.squareAvg) out.set(name, { shape: [...v.shape], values: (await v.data()) as Float32Array });
    return out;
  }

  setState(state: NamedArrays, step: number): void {
    this.disposeSlots();
    for (const [name, { shape, values }] of state) {
      this.squareAvg.set(name, tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false)));
    }
    this.step = step;
  }

  private disposeSlots(): void {
    for (const v of this.squareAvg.values()) v.dispose();
    this.squareAvg.clear();
  }

  dispose(): void {
    this.disposeSlots();
  }
}
