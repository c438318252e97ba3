/**
 * The check that keeps training from making the groups worse: the trained head's groups and the k-means partition it
 * started from (or is measured against) are scored by one label-free test, and the better one is shipped.
 *
 * The test is how well a grouping keeps look-alikes together: the modularity of the grouping on the graph that links
 * every photo to its nearest neighbours in the backbone's embedding (links inside groups, minus what groups of the
 * same sizes would hold by chance). Tests built from k-means — agreement with k-means of augmented copies, or how
 * often augmented copies fall in their photo's k-means cell — were tried first and always preferred the k-means
 * partition, also where the head's groups were better (bench/finetune.ts, clothing photos), because they share
 * k-means' own bias. The graph test leans the same way, less: k-means groups are compact, so they score a little
 * higher even where the head's groups are better by the labels: in nine bench runs (CIFAR-10 1,000 and 10,000 photos,
 * the clothing photos, three seeds each; MobileNetV2 at 224 px) the trained head scored 0.018–0.041 below its k-means
 * start every time, while its ACC was higher in eight of nine (up to +0.11 on 10,000 CIFAR photos) and lower by 0.001
 * in the ninth. So the test cannot rank two sound partitions; what it still catches is a head that training broke —
 * groups merged, emptied or scattered, which lose far more modularity — and the head is shipped unless it falls
 * below k-means by more than HEAD_MODULARITY_TOLERANCE. bench/finetune.ts reports, against labels, how it decided.
 */

/** How far the head's modularity may fall below the k-means partition's before the k-means partition is shipped. */
export const HEAD_MODULARITY_TOLERANCE = 0.05;

/** Which groups a run shipped: the trained head's, plain k-means', or the user's groups refined (guidedPartition.ts). */
export type ShippedPartition = 'head' | 'kmeans' | 'guided';

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

/** Picks between the head's groups and the k-means groups (see HEAD_MODULARITY_TOLERANCE). */
export function choosePartition(head: Int32Array, kmeans: Int32Array, neighbours: Int32Array, k: number, tolerance = HEAD_MODULARITY_TOLERANCE): PartitionChoice {
  const scores = { head: neighbourModularity(head, neighbours, k), kmeans: neighbourModularity(kmeans, neighbours, k) };
  const shipped: ShippedPartition = scores.head >= scores.kmeans - tolerance ? 'head' : 'kmeans';
  const f = (x: number) => x.toFixed(3);
  const reason =
    shipped === 'head'
      ? `The trained network's groups were kept: they keep look-alike photos together about as well as plain k-means groups or better (modularity ${f(scores.head)} against ${f(scores.kmeans)}).`
      : `Plain k-means groups were kept: the trained network's groups split look-alike photos apart more (modularity ${f(scores.head)} against ${f(scores.kmeans)}).`;
  return { shipped, partition: shipped === 'head' ? head : kmeans, head, kmeans, scores, reason };
}
