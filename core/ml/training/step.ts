import { tf } from '../runtime/tf.js';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '../runtime/tf.js';
import type { ClusterModel } from './model.js';
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
  let partTensors: Scalar[] = [];
  let batchStats: Tensor[] = [];

  const { value, grads } = tf.variableGrads(() => {
    const graph = tf.tensor2d(targets.graph, [b, b]);
    const labels = tf.tensor1d(targets.labels, 'int32');
    const confident = tf.tensor1d(targets.confident);
    const out = model.forward(inputs, true);
    batchStats = (out.batchStats ?? []).map((t) => tf.keep(t));
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
    partTensors = [pg, pl, pgAug, plAug, mi, total].map((t) => tf.keep(tf.clone(t)));
    return total;
  }, named.map((n) => n.variable));
  value.dispose();

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
