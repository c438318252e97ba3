// How far the classes can be told apart in a set of features at all, measured with the labels (scoring only; no
// training step sees them). It puts the head's gain over k-means in proportion: a head trained on frozen features
// can only re-draw boundaries in a space that is given, so when even k-means started at the true class means settles
// near plain k-means, no partition of those features is far above it.
import { nearestCentroid, partitionMeans } from '../core/ml/kmeans/kmeans.js';
import { kmeansOnBackend } from '../core/ml/kmeans/kmeansBackend.js';
import { nearestNeighbours } from '../core/ml/finetune/neighbours.js';
import { scoreClustering, type ClusteringScores } from '../core/metrics/clustering.js';

export interface FeatureCeiling {
  /** Share of each photo's 10 nearest neighbours (cosine) that are of its class. */
  neighbourPurity10: number;
  /** Every photo given to the nearest class mean (the best a centroid partition could be, if it knew the means). */
  nearestClassMean: ClusteringScores;
  /** Lloyd's k-means started at the class means: the local optimum of the k-means objective nearest the truth. */
  kmeansFromClassMeans: ClusteringScores;
  /** Its k-means objective (sum of squared distances); compare with plain k-means' to see which partition the objective prefers. */
  kmeansFromClassMeansInertia: number;
}

/** `unit`: n unit-length rows of d; `labels`: class 0..k-1 of each row. */
export async function featureCeiling(unit: Float32Array, n: number, d: number, labels: readonly number[], k: number): Promise<FeatureCeiling> {
  const nn = 10;
  const neighbours = await nearestNeighbours(unit, n, d, nn);
  let same = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < nn; j++) if (labels[neighbours[i * nn + j]!] === labels[i]) same++;
  const means = Float32Array.from(partitionMeans(unit, n, d, labels, k).means);
  const settled = await kmeansOnBackend(unit, n, d, { k, init: means, restarts: 1 });
  return {
    neighbourPurity10: same / (n * nn),
    nearestClassMean: scoreClustering(labels, nearestCentroid(unit, n, d, means, k)),
    kmeansFromClassMeans: scoreClustering(labels, settled.assignments),
    kmeansFromClassMeansInertia: settled.inertia,
  };
}
