import { tf } from '../runtime/tf.js';
import type { Tensor, Variable } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import type { NamedArrays } from './model.js';

let storeCounter = 0;

/**
 * Owns a model's variables. TF.js variable names are global to the engine, so each store prefixes its own unique
 * id; everything outside (checkpoints, optimiser state, worker messages) uses the local names.
 */
export class VariableStore {
  private readonly prefix = `pc${++storeCounter}`;
  private readonly vars = new Map<string, { variable: Variable; trainable: boolean }>();

  constructor(private readonly rng: Rng) {}

  add(name: string, shape: number[], init: 'zeros' | 'ones' | { heNormalFanIn: number }, trainable = true): Variable {
    if (this.vars.has(name)) throw new Error(`duplicate variable ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init !== 'zeros') {
      // Kaiming/He normal, fan-in mode (what the reference code uses for its convolutions).
      const std = Math.sqrt(2 / init.heNormalFanIn);
      for (let i = 0; i < size; i++) values[i] = this.rng.normal() * std;
    }
    // tidy frees the initial tensor; the variable keeps its own reference to the data.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, `${this.prefix}/${name}`));
    this.vars.set(name, { variable, trainable });
    return variable;
  }

  trainable(): Array<{ name: string; variable: Variable }> {
    return [...this.vars].filter(([, v]) => v.trainable).map(([name, v]) => ({ name, variable: v.variable }));
  }

  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    return v.variable;
  }

  async getState(): Promise<NamedArrays> {
    const out: NamedArrays = new Map();
    for (const [name, { variable }] of this.vars) {
      out.set(name, { shape: [...variable.shape], values: (await variable.data()) as Float32Array });
    }
    return out;
  }

  /** Loads every variable; a missing name or a shape mismatch is an error (a checkpoint of another network). */
  setState(state: NamedArrays): void {
    for (const [name, { variable }] of this.vars) {
      const entry = state.get(name);
      if (!entry) throw new Error(`state has no ${name}`);
      if (entry.shape.length !== variable.shape.length || entry.shape.some((d, i) => d !== variable.shape[i])) {
        throw new Error(`shape mismatch for ${name}: state ${JSON.stringify(entry.shape)}, model ${JSON.stringify(variable.shape)}`);
      }
      tf.tidy(() => variable.assign(tf.tensor(entry.values, entry.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const { variable } of this.vars.values()) variable.dispose();
    this.vars.clear();
  }
}

/** Shared plumbing of a network whose variables live in one VariableStore (weights, state, disposal). */
export abstract class StoredVariables {
  protected constructor(protected readonly store: VariableStore) {}

  trainableVariables(): Array<{ name: string; variable: Variable }> {
    return this.store.trainable();
  }

  getState(): Promise<NamedArrays> {
    return this.store.getState();
  }

  setState(state: NamedArrays): void {
    this.store.setState(state);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A StoredVariables network with BatchNorm layers, whose batch statistics come back from `forward` in layer order. */
export abstract class BatchNormNetwork extends StoredVariables {
  protected abstract readonly bns: BatchNorm[];

  batchStatNames(): string[] {
    return this.bns.map((b) => b.name);
  }

  updateRunningStats(batchStats: Tensor[], momentum: number): void {
    this.bns.forEach((bn, i) => bn.updateRunning(batchStats[2 * i]!, batchStats[2 * i + 1]!, momentum));
  }
}

export const BN_EPSILON = 1e-5;

/**
 * BatchNorm over all axes but the last. Training mode normalises with the batch's own statistics (returned so the
 * caller can fold them into the running ones); inference mode uses the running statistics, so a prediction never
 * depends on which other images share its batch (the reference code's defect).
 *
 * The training-mode gradient is the closed form (dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂))) rather than TF.js's
 * generic FusedBatchNorm gradient, which tiles and re-derives terms and costs several extra passes per layer.
 */
export class BatchNorm {
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly runningMean: Variable;
  readonly runningVar: Variable;

  constructor(store: VariableStore, readonly name: string, channels: number) {
    this.gamma = store.add(`${name}/gamma`, [channels], 'ones');
    this.beta = store.add(`${name}/beta`, [channels], 'zeros');
    this.runningMean = store.add(`${name}/running_mean`, [channels], 'zeros', false);
    this.runningVar = store.add(`${name}/running_var`, [channels], 'ones', false);
  }

  /** BatchNorm, then ReLU when `relu`. */
  apply(x: Tensor, training: boolean, stats?: Tensor[], relu = false): Tensor {
    if (!training) {
      const y = tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, BN_EPSILON);
      return relu ? reluAndFree(y) : y;
    }
    const result = batchNormTrain(x, this.gamma, this.beta, relu);
    if (stats) stats.push(result.mean, result.variance);
    else tf.dispose([result.mean, result.variance]);
    return result.y;
  }

  updateRunning(mean: Tensor, variance: Tensor, momentum: number): void {
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, momentum), tf.mul(mean, 1 - momentum)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, momentum), tf.mul(variance, 1 - momentum)));
    });
  }
}

/** Training-mode batch norm with a closed-form gradient; `mean`/`variance` are detached copies for running stats. */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, relu = false): { y: Tensor; mean: Tensor; variance: Tensor } {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  let mean!: Tensor;
  let variance!: Tensor;
  const op = tf.customGrad(((xIn: Tensor, g: Tensor, b: Tensor, save: (t: Tensor[]) => void) => {
    // Temporaries of the activation's size are freed as soon as used (the scope ends only with the layer).
    const m = tf.mean(xIn, axes);
    const centred = tf.sub(xIn, m);
    const squared = tf.square(centred);
    const v = tf.mean(squared, axes);
    squared.dispose();
    const invStd = tf.rsqrt(tf.add(v, BN_EPSILON));
    const xhat = tf.mul(centred, invStd);
    centred.dispose();
    save([xhat, invStd, g]);
    const scaled = tf.mul(xhat, g);
    const value = tf.add(scaled, b);
    scaled.dispose();
    // Kept last (clones allocate nothing), so that a failed allocation above leaves nothing behind.
    mean = tf.keep(tf.clone(m));
    variance = tf.keep(tf.clone(v));
    return {
      value,
      // TF.js runs a custom gradient outside any scope of its own, so its temporaries would live until the whole
      // backward pass ends: they are freed here as soon as used (at most two of the activation's size at a time).
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
        tf.tidy(() => {
          const d = dy as Tensor;
          const [xh, inv, gm] = saved as [Tensor, Tensor, Tensor];
          const dBeta = tf.sum(d, axes);
          const dyXh = tf.mul(d, xh);
          const dGamma = tf.sum(dyXh, axes);
          dyXh.dispose();
          // dx = γ·inv/M · (M·dy − dβ − x̂·dγ)
          const scale = tf.div(tf.mul(gm, inv), count);
          const scaled = tf.mul(d, count);
          const centred = tf.sub(scaled, dBeta);
          scaled.dispose();
          const xhDGamma = tf.mul(xh, dGamma);
          const inner = tf.sub(centred, xhDGamma);
          tf.dispose([centred, xhDGamma]);
          const dx = tf.mul(scale, inner);
          inner.dispose();
          return [dx, dGamma, dBeta];
        }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta);
  try {
    return { y: relu ? reluAndFree(y) : y, mean, variance };
  } catch (err) {
    tf.dispose([mean, variance]);
    throw err;
  }
}

/**
 * relu(y), freeing y at once rather than with its scope (memory only: a recorded relu keeps its own reference to
 * what its gradient needs).
 */
function reluAndFree(y: Tensor): Tensor {
  const out = tf.relu(y);
  y.dispose();
  return out;
}
