import { tf } from '../runtime/tf.js';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '../runtime/tf.js';
import type { ClusterModel, ForwardOutput, TrainingStages } from './model.js';
import type { MiDiscriminator } from './discriminator.js';
import { graphLoss, labelLoss, miLoss, type DccmLossWeights, type MiPairs } from './losses.js';

/** Loss values of one step (means over its views; `total` is what was minimised). */
export interface LossParts {
  graph: number;
  label: number;
  graphAug: number;
  labelAug: number;
  mi: number;
  total: number;
}

export const LOSS_PART_NAMES: readonly (keyof LossParts)[] = ['graph', 'label', 'graphAug', 'labelAug', 'mi', 'total'];

/** Everything one shard of a mini-batch needs, as host arrays (so it can also be posted to a gradient worker). */
export interface ShardTargets {
  /** Rows in the shard, B. */
  size: number;
  /** Pseudo-graph block W (B×B, row-major) from the un-augmented pass. */
  graph: Float32Array;
  labels: Int32Array;
  confident: Float32Array;
  /** One pair sample per augmented view. */
  miPairs: MiPairs[];
}

export interface StepOptions {
  weights: DccmLossWeights;
  /** Whether `inputs` starts with the un-augmented rows (the L_PG + α·L_PL term). */
  includeOriginal: boolean;
  augmentedViews: number;
  /**
   * Compute the gradients stage by stage when the model offers stages (ClusterModel.trainingStages), running each
   * stage forward a second time during the backward pass. Same objective, same gradients, less memory: TF.js keeps
   * every saved activation and every intermediate gradient of a recorded pass until its backward pass ends, so one
   * recorded pass over the paper network at 96 px needs ~4 GB for a shard of 64 rows (more than a wasm thread can
   * have); stage by stage only one stage's are alive at a time (~2.2 GB), for one more forward pass (~15 % more work).
   *
   * Deliberately not fewer rows per pass with gradients accumulated over sub-batches: DCCM's losses pair the rows of
   * a shard (the pseudo-graph term, the pseudo-graph positives and the random negatives of the MI term) and BatchNorm
   * normalises with the whole shard's statistics, so sub-batches would change the objective, not just its cost.
   */
  stageWise?: boolean;
}

export interface ShardResult {
  parts: LossParts;
  /** Gradients keyed "model/<name>" and "disc/<name>". */
  grads: Map<string, Tensor>;
  batchStats: Tensor[];
}

/**
 * Forward + backward for one shard: `inputs` holds [original rows?; view 1 rows; …; view V rows] stacked along
 * the batch axis, all passed through the network in training mode together. Returns gradients for the network and
 * the MI discriminator; nothing is applied here, so the same function serves in-process and worker shards.
 */
export async function computeShard(
  model: ClusterModel,
  disc: MiDiscriminator,
  inputs: Tensor,
  targets: ShardTargets,
  opts: StepOptions,
): Promise<ShardResult> {
  const b = targets.size;
  const groups = (opts.includeOriginal ? 1 : 0) + opts.augmentedViews;
  if (inputs.shape[0] !== b * groups) throw new Error(`shard inputs have ${inputs.shape[0]} rows, expected ${b * groups}`);
  if (targets.miPairs.length !== opts.augmentedViews) throw new Error('one MI pair sample per augmented view is required');

  const named = [
    ...model.trainableVariables().map((v) => ({ key: `model/${v.name}`, variable: v.variable })),
    ...disc.trainableVariables().map((v) => ({ key: `disc/${v.name}`, variable: v.variable })),
  ];
  const stages = opts.stageWise ? model.trainingStages?.() : undefined;
  let raw: RawGradients;
  try {
    raw = stages
      ? gradientsByStage(stages, disc, inputs, targets, opts, named.map((n) => n.variable))
      : gradientsInOnePass(model, disc, inputs, targets, opts, named.map((n) => n.variable));
  } catch (err) {
    releaseAbandonedTape();
    throw err;
  }
  const { partTensors, grads, batchStats } = raw;

  const byId = new Map(named.map((n) => [n.variable.name, n.key]));
  const gradMap = new Map<string, Tensor>();
  for (const [varName, g] of Object.entries(grads)) gradMap.set(byId.get(varName)!, g);
  // The only download of a step: six scalars in one read (synchronous reads do not exist on WebGPU).
  const stacked = tf.stack(partTensors);
  const values = Array.from(await stacked.data());
  tf.dispose([stacked, ...partTensors]);
  const [graph, label, graphAug, labelAug, mi, total] = values as [number, number, number, number, number, number];
  return { parts: { graph, label, graphAug, labelAug, mi, total }, grads: gradMap, batchStats };
}

/**
 * After a recorded pass failed half-way (e.g. out of memory), TF.js keeps its tape, with every activation saved on
 * it, until the next recorded pass replaces it without freeing them: free them now (they can be gigabytes).
 */
function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: Array<{ saved?: Tensor[] }> | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null;
}

interface RawGradients {
  /** The six loss parts (LOSS_PART_NAMES order), kept. */
  partTensors: Scalar[];
  /** Keyed by TF.js variable name. */
  grads: Record<string, Tensor>;
  batchStats: Tensor[];
}

/** One recorded pass through the whole network and the losses (the fastest way, when memory allows). */
function gradientsInOnePass(model: ClusterModel, disc: MiDiscriminator, inputs: Tensor, targets: ShardTargets, opts: StepOptions, variables: Variable[]): RawGradients {
  let partTensors: Scalar[] = [];
  let batchStats: Tensor[] = [];
  try {
    // In a tidy so that a failed backward pass does not leave the forward pass's value behind.
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const out = model.forward(inputs, true);
        batchStats = (out.batchStats ?? []).map((t) => tf.keep(t));
        const r = objective(out, disc, targets, opts);
        partTensors = r.parts;
        return r.total;
      }, variables),
    );
    value.dispose();
    return { partTensors, grads, batchStats };
  } catch (err) {
    tf.dispose([...batchStats, ...partTensors]);
    throw err;
  }
}

/**
 * The same gradients, one model stage at a time (gradient checkpointing at the stage boundaries):
 *  1. the stages run forward without recording, keeping only each stage's output;
 *  2. the losses run recorded on the kept shallow map and last output: their backward pass gives the
 *     discriminator's gradients and the gradients arriving at those two outputs;
 *  3. each stage, last to first, runs forward again recorded from its kept input and back-propagates the gradient
 *     arriving at its output (plus the losses' share when its output is the shallow map), giving its weights'
 *     gradients and the gradient at its input.
 * Every stage sees the whole shard, so BatchNorm statistics and the pairwise losses are exactly those of one pass.
 */
function gradientsByStage(model: TrainingStages, disc: MiDiscriminator, inputs: Tensor, targets: ShardTargets, opts: StepOptions, variables: Variable[]): RawGradients {
  const { stages, shallow: shallowAt, outputs } = model;
  if (stages.length === 0 || shallowAt < 0 || shallowAt >= stages.length) throw new Error('a staged model needs at least one stage and its shallow map among them');
  const engine = tf.engine();
  const trainable = variables.filter((v) => v.trainable);
  const grads: Record<string, Tensor> = {};
  // Adds each stage's gradients to the running sums; on a failure, frees the gradients not yet taken over.
  const accumulate = (gs: Tensor[]): void => {
    let i = 0;
    try {
      for (; i < gs.length; i++) {
        const g = gs[i];
        if (!g) continue;
        const name = trainable[i]!.name;
        const prev = grads[name];
        if (!prev) {
          grads[name] = g;
          continue;
        }
        grads[name] = tf.add(prev, g);
        tf.dispose([prev, g]);
      }
    } catch (err) {
      tf.dispose(gs.slice(i).filter((g): g is Tensor => g !== undefined));
      throw err;
    }
  };
  // kept[i] is the input of stage i; kept[stages.length] the last stage's output.
  const kept: Tensor[] = [inputs];
  const batchStats: Tensor[] = [];
  let partTensors: Scalar[] = [];
  let dy: Tensor | undefined;
  let dShallow: Tensor | undefined;
  try {
    for (const stage of stages) {
      const x = kept[kept.length - 1]!;
      kept.push(tf.tidy(() => stage(x, batchStats)));
    }
    const shallow = kept[shallowAt + 1]!;
    const last = kept[stages.length]!;
    // When the shallow map is the last output itself, its one gradient already holds both shares.
    const outs = shallow === last ? [last] : [last, shallow];
    // Recorded passes in a tidy so that a failed backward pass does not leave the forward pass's value behind.
    const losses = tf.tidy(() =>
      engine.gradients(
        () => {
          const r = objective(outputs(shallow, last), disc, targets, opts);
          partTensors = r.parts;
          return r.total;
        },
        [...outs, ...trainable],
        undefined,
        true,
      ),
    );
    losses.value.dispose();
    dy = losses.grads[0];
    dShallow = outs.length > 1 ? losses.grads[1] : undefined;
    accumulate(losses.grads.slice(outs.length));
    for (let i = stages.length - 1; i >= 0; i--) {
      if (i === shallowAt && dShallow) {
        const sum: Tensor = tf.add(dy!, dShallow);
        tf.dispose([dy!, dShallow]);
        dy = sum;
        dShallow = undefined;
      }
      kept.pop()!.dispose();
      const x = kept[i]!;
      const stage = stages[i]!;
      const arriving: Tensor = dy!;
      const r: { value: Tensor; grads: Tensor[] } = tf.tidy(() => engine.gradients(() => stage(x), i > 0 ? [x, ...trainable] : trainable, arriving, true));
      r.value.dispose();
      arriving.dispose();
      dy = i > 0 ? r.grads[0] : undefined;
      accumulate(i > 0 ? r.grads.slice(1) : r.grads);
    }
    return { partTensors, grads, batchStats };
  } catch (err) {
    tf.dispose([...Object.values(grads), ...batchStats, ...partTensors, ...(dy ? [dy] : []), ...(dShallow ? [dShallow] : [])]);
    throw err;
  } finally {
    // Everything but the caller's inputs; on success nothing else is left.
    tf.dispose(kept.slice(1));
  }
}

/** The step's objective on a training-mode forward output, and its six loss parts (kept, LOSS_PART_NAMES order). */
function objective(out: Omit<ForwardOutput, 'batchStats'>, disc: MiDiscriminator, targets: ShardTargets, opts: StepOptions): { total: Scalar; parts: Scalar[] } {
  const b = targets.size;
  const graph = tf.tensor2d(targets.graph, [b, b]);
  const labels = tf.tensor1d(targets.labels, 'int32');
  const confident = tf.tensor1d(targets.confident);
  const slice = <T extends Tensor>(t: T, group: number): T => tf.slice(t, group * b, b) as T;

  const zero = tf.scalar(0);
  let lossOrig: Scalar = zero;
  let pg: Scalar = zero;
  let pl: Scalar = zero;
  if (opts.includeOriginal) {
    pg = graphLoss(slice(out.probs, 0), graph);
    pl = labelLoss(slice(out.logits, 0), labels, confident);
    lossOrig = tf.add(pg, tf.mul(pl, opts.weights.alpha));
  }
  const first = opts.includeOriginal ? 1 : 0;
  const pgAugs: Scalar[] = [];
  const plAugs: Scalar[] = [];
  const mis: Scalar[] = [];
  for (let v = 0; v < opts.augmentedViews; v++) {
    const g = first + v;
    pgAugs.push(graphLoss(slice(out.probs as Tensor2D, g), graph));
    plAugs.push(labelLoss(slice(out.logits as Tensor2D, g), labels, confident));
    mis.push(miTerm(disc, slice(out.shallow, g), slice(out.deep as Tensor2D, g), targets.miPairs[v]!));
  }
  const mean = (xs: Scalar[]): Scalar => (xs.length ? (tf.div(tf.addN(xs), xs.length) as Scalar) : zero);
  const pgAug = mean(pgAugs);
  const plAug = mean(plAugs);
  const mi = mean(mis);
  const total = tf.addN([lossOrig, pgAug, tf.mul(plAug, opts.weights.alpha), tf.mul(mi, opts.weights.beta)]) as Scalar;
  return { total, parts: [pg, pl, pgAug, plAug, mi, total].map((t) => tf.keep(tf.clone(t))) };
}

function miTerm(disc: MiDiscriminator, shallow: Tensor, deep: Tensor2D, pairs: MiPairs): Scalar {
  const b = deep.shape[0];
  const self = Int32Array.from({ length: b }, (_, i) => i);
  const scores = disc.score(shallow, deep, [self, pairs.neighbour, ...pairs.negatives]);
  const p = 2 + pairs.negatives.length;
  const pos = tf.slice(scores, 0, 2);
  const neg = tf.reshape(tf.slice(scores, 2, p - 2), [(p - 2) * b, -1]);
  const mask = pairs.negatives.length
    ? (tf.tensor1d(Float32Array.from(pairs.negativeMask.flatMap((m) => Array.from(m))))) as Tensor1D
    : undefined;
  return miLoss(pos, neg, mask);
}
