/** Splitting a group: k-means on the stored embeddings of its photos (seeded, so a split repeats exactly). */
import { kmeans } from '../ml/kmeans/kmeans.js';
import type { Partitioner } from './groupEdits.js';

export const splitPartitioner: Partitioner = (vectors, n) => {
  const d = vectors[0]?.length ?? 0;
  const data = new Float32Array(vectors.length * d);
  vectors.forEach((v, i) => data.set(v, i * d));
  return Array.from(kmeans(data, vectors.length, d, { k: n, seed: 1, restarts: 4 }).assignments);
};
