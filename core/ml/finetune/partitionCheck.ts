/**
 * The check that keeps training from making the groups worse: the trained head's groups and the k-means partition it
 * started from (or is measured against) are scored by one label-free test, and the better one is shipped.
 *
 * The test is how well a grouping keeps look-alikes together: the modularity of the grouping on the graph that links
 * every photo to its nearest neighbours in the backbone's embedding (links inside groups, minus what groups of the
 * same sizes would hold by chance). Tests built from k-means — agreement with k-means of augmented copies, or how
 * often augmented copies fall in their photo's k-means cell — were tried first and always preferred the k-means
 * partition, also where the head's groups were better (bench/finetune.ts, clothing photos), because they share
 * k-means' own bias. The graph test shares DCCM's (the head is trained to agree with neighbours), which is the bias
 * to have when the question is whether training broke something. bench/finetune.ts reports how often the shipped
 * partition was the better one by the labels.
 */

export type ShippedPartition = 'head' | 'kmeans';

export interface PartitionChoice {
  shipped: ShippedPartition;
  partition: Int32Array;
  head: Int32Array;
  kmeans: Int32Array;
  scores: { head: number; kmeans: number };
  /** One sentence for the run summary. */
  reason: string;
}

/**
 * Modularity of `partition` on the symmetric k-nearest-neighbour graph (`neighbours`: n × k indices): the share of
 * links inside groups minus the share expected for groups with the same link totals.
 */
export function neighbourModularity(partition: ArrayLike<number>, neighbours: Int32Array, k: number): number {
  const n = partition.length;
  if (neighbours.length !== n * k) throw new Error(`neighbour table has ${neighbours.length} entries for ${n} photos × ${k}`);
  // The symmetrised graph A + Aᵀ: a link i→j adds 1 to (i, j) and to (j, i), so a photo's degree is its k links out
  // plus the links that point at it.
  const groups = new Map<number, number>();
  let inside = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const other = neighbours[i * k + j]!;
      if (partition[other] === partition[i]) inside += 2;
      groups.set(partition[other]!, (groups.get(partition[other]!) ?? 0) + 1);
    }
    groups.set(partition[i]!, (groups.get(partition[i]!) ?? 0) + k);
  }
  const total = 2 * n * k;
  let expected = 0;
  for (const degree of groups.values()) expected += (degree / total) ** 2;
  return inside / total - expected;
}

/** Picks between the head's groups and the k-means groups; a tie keeps the head (it is what was trained). */
export function choosePartition(head: Int32Array, kmeans: Int32Array, neighbours: Int32Array, k: number): PartitionChoice {
  const scores = { head: neighbourModularity(head, neighbours, k), kmeans: neighbourModularity(kmeans, neighbours, k) };
  const shipped: ShippedPartition = scores.head >= scores.kmeans ? 'head' : 'kmeans';
  const f = (x: number) => x.toFixed(3);
  const reason =
    shipped === 'head'
      ? `The trained network's groups were kept: they keep look-alike photos together better than plain k-means groups (modularity ${f(scores.head)} against ${f(scores.kmeans)}).`
      : `Plain k-means groups were kept: they keep look-alike photos together better than the trained network's groups (modularity ${f(scores.kmeans)} against ${f(scores.head)}).`;
  return { shipped, partition: shipped === 'head' ? head : kmeans, head, kmeans, scores, reason };
}
