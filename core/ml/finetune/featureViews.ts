/**
 * The trainer's view provider for the fine-tune head. Originals are the cached features of the photos themselves
 * (held in memory). A transformed view of photo i — what DCCM's local-robustness terms compare against the targets
 * of the original — is the cached features of an augmented copy of i (crop, flip, colour shifts), or of one of i's
 * nearest neighbours in the backbone's embedding space: a neighbour is a transformation that keeps what the photo
 * shows (SCAN's observation), and asking neighbours to agree is what turns good features into good groups.
 */
import { tf } from '../runtime/tf.js';
import type { Tensor, Tensor2D } from '../runtime/tf.js';
import type { Rng } from '../rng.js';
import type { ViewProvider } from '../data/augmentedViews.js';
import type { FeatureCache, FeatureMatrix } from './backboneFeatures.js';

export interface ViewPolicy {
  /** Augmented views cached per photo (views 1..A under the feature key). */
  augmentedViews: number;
  /** Probability that a transformed view uses a cached augmented view rather than the plain features. */
  augmentedShare: number;
  /** Nearest neighbours of each photo (row-major n × k indices), or null. */
  neighbours: { k: number; index: Int32Array } | null;
  /** Probability that a transformed view is of a random nearest neighbour instead of the photo itself. */
  neighbourShare: number;
}

export const NO_VIEWS: ViewPolicy = { augmentedViews: 0, augmentedShare: 0, neighbours: null, neighbourShare: 0 };

export class FeatureViews implements ViewProvider {
  readonly inputShape: number[];
  private readonly width: number;

  constructor(
    readonly originals: FeatureMatrix,
    readonly ids: readonly string[],
    readonly cache: FeatureCache,
    readonly key: string,
    readonly policy: ViewPolicy = NO_VIEWS,
  ) {
    if (ids.length !== originals.n) throw new Error(`${ids.length} ids for ${originals.n} feature rows`);
    if (policy.neighbours && policy.neighbours.index.length !== originals.n * policy.neighbours.k) throw new Error('neighbour table does not match the features');
    this.width = originals.embeddingDim + originals.shallowDim;
    this.inputShape = [this.width];
  }

  get count(): number {
    return this.originals.n;
  }

  /** Row i of the originals as one model input at `out[at..]`. */
  private originalRow(i: number, out: Float32Array, at: number): void {
    const { embeddingDim: D, shallowDim: S, embedding, shallow } = this.originals;
    out.set(embedding.subarray(i * D, (i + 1) * D), at);
    out.set(shallow.subarray(i * S, (i + 1) * S), at + D);
  }

  private augmentedRow(i: number, view: number, out: Float32Array, at: number): void {
    const rec = this.cache.get(this.key, this.ids[i]!, view);
    if (!rec) throw new Error(`augmented view ${view} of ${this.ids[i]} is not cached under ${this.key}`);
    out.set(rec.embedding, at);
    if (rec.shallow) out.set(rec.shallow, at + this.originals.embeddingDim);
  }

  async load(indices: number[]): Promise<Tensor2D> {
    const W = this.width;
    const rows = new Float32Array(indices.length * W);
    indices.forEach((idx, r) => {
      if (!(idx >= 0 && idx < this.count)) throw new RangeError(`feature index ${idx} out of range 0..${this.count - 1}`);
      this.originalRow(idx, rows, r * W);
    });
    return tf.tensor2d(rows, [indices.length, W]);
  }

  original(loaded: Tensor, rows: number[]): Tensor2D {
    return tf.gather(loaded, rows) as Tensor2D;
  }

  /** One transformed view per item, drawn from the trainer's generator (so a resumed run draws the same ones). */
  augmented(_loaded: Tensor, _rows: number[], indices: number[], rng: Rng): Tensor2D {
    const { augmentedViews: A, augmentedShare, neighbours: nb, neighbourShare } = this.policy;
    const W = this.width;
    const out = new Float32Array(indices.length * W);
    indices.forEach((idx, r) => {
      const subject = nb && rng.float() < neighbourShare ? nb.index[idx * nb.k + rng.int(nb.k)]! : idx;
      if (A > 0 && rng.float() < augmentedShare) this.augmentedRow(subject, 1 + rng.int(A), out, r * W);
      else this.originalRow(subject, out, r * W);
    });
    return tf.tensor2d(out, [indices.length, W]);
  }
}
