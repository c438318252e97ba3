/**
 * Suggests a number of groups for a folder without labels: over-cluster, then merge.
 *
 * 1. The photos (a seeded sample of at most 2,000) are cut by k-means into many small clusters of look-alikes.
 * 2. Each photo's 20 nearest neighbours (cosine) form a graph; between two clusters we compare the neighbour links
 *    with what chance would give for clusters with their link totals (the modularity ratio e_ab·2m / (d_a·d_b)).
 * 3. The pair with the highest ratio is merged while that ratio exceeds 1 — while merging still raises the graph's
 *    modularity — and the clusters left are the suggestion, clamped to a range that suits a photo folder.
 *
 * Measured on CIFAR-10 folders of 3, 5 and 10 classes with MobileNet v1 features (bench/finetune.ts, README):
 * silhouette / Calinski–Harabasz / Davies–Bouldin maxima and Laplacian eigengaps mostly answer 2 on these
 * overlapping classes; "largest k whose k-means partitions are reproducible" swings with the seed and over-splits
 * clean blobs; merging is steady, exact on clean structure and
 * within ±2 on the 3- and 5-class folders, but answers 5–7 for 10 classes, because cat/dog, automobile/truck and
 * deer/horse overlap in these features. The bench (`--k-resolution`) measures why: on CIFAR-10 only about 4 in 10 of
 * a photo's neighbours share its class, and the ten classes score a lower modularity on the neighbour graph than the
 * 6–8 groups found, so no rule reading that graph prefers ten; a resolution above 1 reaches 8–10 there only by
 * over-counting the 3- and 5-class folders.
 */
import { Rng } from '../rng.js';
import { kmeansOnBackend } from '../kmeans/kmeansBackend.js';
import type { ImageSource } from '../data/dataset.js';
import { nearestNeighbours } from './neighbours.js';
import { l2Normalize, selectRows } from '../rows.js';
import { neighbourModularity } from './partitionCheck.js';

export interface KSuggestion {
  k: number;
  /** One sentence for the user (run.kReasoning). */
  reasoning: string;
  details: {
    method: 'merge';
    sample: number;
    range: [number, number];
    /** Before clamping to `range`. */
    unclamped: number;
    /** Modularity of the merged groups on the sample's neighbour graph (partitionCheck.ts; 0: no more links within groups than chance). */
    modularity: number;
  };
}

export interface SuggestKOptions {
  seed?: number;
  /** Photos looked at (a seeded sample when the folder has more). Default 2000. */
  sampleSize?: number;
  /** Smallest and largest suggestion; default 2 and min(20, sample / 10). */
  range?: [number, number];
  /** Merging: neighbours per photo in the graph. Default 20. */
  neighbours?: number;
  /** What the photos were compared by, for the reasoning sentence. */
  basis?: string;
  /**
   * Clusters merge while their observed/expected link ratio exceeds this. 1 (the default) is plain modularity;
   * higher values keep more groups. Measured, not used by the app: see the header.
   */
  resolution?: number;
}

/** The photos suggestK looks at and their neighbour graph: `rows` of the folder, `neighbours` as `rows.length × nn` indices into `rows`. */
export interface KGraph {
  rows: Int32Array;
  unit: Float32Array;
  neighbours: Int32Array;
  nn: number;
}

/** The seeded sample of photos suggestK reads (all of them up to `sampleSize`) and their `neighbours`-nearest graph. */
export async function suggestionGraph(unit: Float32Array, n: number, d: number, opts: Pick<SuggestKOptions, 'seed' | 'sampleSize' | 'neighbours'> = {}): Promise<KGraph> {
  const m = Math.min(n, opts.sampleSize ?? 2000);
  const rows =
    m >= n
      ? Int32Array.from({ length: n }, (_, i) => i)
      : Int32Array.from(
          new Rng(`suggest-k:${opts.seed ?? 0}`)
            .permutation(n)
            .slice(0, m)
            .sort((a, b) => a - b),
        );
  const sample = m >= n ? unit : selectRows(unit, d, [...rows]);
  const nn = Math.min(opts.neighbours ?? 20, m - 1);
  return { rows, unit: sample, neighbours: await nearestNeighbours(sample, m, d, nn), nn };
}

function defaultRange(m: number): [number, number] {
  return [2, Math.max(2, Math.min(20, Math.floor(m / 10)))];
}

/** Suggests K from unit-length embeddings (`n` rows of `d`) by over-clustering and merging. Deterministic for a seed on a backend. */
export async function suggestK(unit: Float32Array, n: number, d: number, opts: SuggestKOptions = {}): Promise<KSuggestion> {
  if (n < 4) throw new Error(`at least 4 photos are needed to suggest a number of groups, got ${n}`);
  const seed = opts.seed ?? 0;
  const graph = await suggestionGraph(unit, n, d, opts);
  const m = graph.rows.length;
  const range = opts.range ?? defaultRange(m);
  // About 15 photos per tight cluster, and 20 neighbours per photo: measured on 3-, 5- and 10-class folders of real
  // (clothing) and CIFAR photos (bench/finetune.ts); 8 per cluster and 10 neighbours over-counted small folders.
  const k0 = Math.max(range[1], Math.min(100, Math.floor(m / 15)));
  const labels = (await kmeansOnBackend(graph.unit, m, d, { k: Math.min(k0, m), seed, restarts: 1 })).assignments;
  const merged = mergeByModularity(labels, k0, graph.neighbours, graph.nn, opts.resolution);
  const count = merged.groups;
  const k = Math.min(range[1], Math.max(range[0], count));
  const sampled = m < n ? ` (a sample of ${m} of the ${n})` : '';
  const basis = opts.basis ?? 'what they show';
  const clamped = k !== count ? `, kept within ${range[0]}–${range[1]}` : '';
  return {
    k,
    reasoning:
      `Suggested ${k} groups: the photos${sampled} were split by ${basis} into ${k0} tight clusters, and clusters were merged ` +
      `while their photos were each other's closest look-alikes more often than chance would give; ${count} remained${clamped}.`,
    details: { method: 'merge', sample: m, range, unclamped: count, modularity: neighbourModularity(Int32Array.from(labels, (c) => merged.groupOf[c]!), graph.neighbours, graph.nn) },
  };
}

/**
 * Greedy agglomeration on a symmetric kNN graph while the best observed/expected link ratio exceeds `resolution`;
 * returns the groups left and the group each of the `k0` clusters ended in (0..groups-1).
 */
export function mergeByModularity(labels: Int32Array, k0: number, neighbours: Int32Array, nn: number, resolution = 1): { groups: number; groupOf: Int32Array } {
  const n = labels.length;
  const edges = new Set<number>();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nn; j++) {
      const other = neighbours[i * nn + j]!;
      edges.add(i < other ? i * n + other : other * n + i);
    }
  }
  const links = Array.from({ length: k0 }, () => new Float64Array(k0));
  for (const e of edges) {
    const a = labels[Math.floor(e / n)]!;
    const b = labels[e % n]!;
    links[a]![b]! += 1;
    links[b]![a]! += 1;
  }
  const root = Int32Array.from({ length: k0 }, (_, c) => c);
  const degree = links.map((row) => row.reduce((s, v) => s + v, 0));
  const total = degree.reduce((s, v) => s + v, 0);
  const alive = new Set([...Array(k0).keys()].filter((c) => degree[c]! > 0));
  while (alive.size > 1) {
    let best = { ratio: -1, a: -1, b: -1 };
    const list = [...alive];
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x]!;
        const b = list[y]!;
        const ratio = (links[a]![b]! * total) / (degree[a]! * degree[b]!);
        if (ratio > best.ratio) best = { ratio, a, b };
      }
    }
    if (best.ratio <= resolution) break;
    const { a, b } = best;
    for (let c = 0; c < k0; c++) if (root[c] === b) root[c] = a;
    for (const c of alive) {
      if (c === b) continue;
      const v = c === a ? links[a]![a]! + links[b]![b]! + 2 * links[a]![b]! : links[a]![c]! + links[b]![c]!;
      links[a]![c] = v;
      links[c]![a] = v;
    }
    degree[a]! += degree[b]!;
    alive.delete(b);
  }
  const number = new Map([...alive].map((c, i) => [c, i]));
  // A cluster with no links (no photos) keeps its own root, which is not alive: it joins group 0, holding nobody.
  return { groups: alive.size, groupOf: Int32Array.from(root, (r) => number.get(r) ?? 0) };
}

/**
 * Suggests K from pixels alone (scratch mode, where no backbone runs): each image as its 16×16 colour thumbnail,
 * centred per dimension and scaled to unit length. Much weaker than backbone features; the reasoning says so.
 */
export async function suggestKForPixels(source: ImageSource, seed: number): Promise<KSuggestion> {
  const n = source.count;
  const side = 16;
  const factor = source.size / side;
  if (!Number.isInteger(factor)) throw new Error(`image side ${source.size} is not a multiple of ${side}`);
  const d = side * side * 3;
  const data = new Float32Array(n * d);
  const per = source.size * source.size * 3;
  const chunk = 512;
  for (let start = 0; start < n; start += chunk) {
    const ids = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    const pixels = await source.read(ids);
    ids.forEach((_, r) => {
      const out = (start + r) * d;
      for (let y = 0; y < source.size; y++) {
        for (let x = 0; x < source.size; x++) {
          const cell = out + (Math.floor(y / factor) * side + Math.floor(x / factor)) * 3;
          const at = r * per + (y * source.size + x) * 3;
          for (let c = 0; c < 3; c++) data[cell + c] = data[cell + c]! + pixels[at + c]! / (255 * factor * factor);
        }
      }
    });
  }
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j]!;
    mean /= n;
    for (let i = 0; i < n; i++) data[i * d + j] = data[i * d + j]! - mean;
  }
  return suggestK(l2Normalize(data, n, d), n, d, { seed, basis: 'colour and layout (scratch mode uses no pretrained model)' });
}
