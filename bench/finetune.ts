// `npm run bench -- finetune [--sizes 1000,10000] [--seed S] [--head-seeds N] [--kmeans-seeds N] [--k-seeds N] [--backend B]`
// Fine-tune mode on CIFAR-10 test images from ../shared, files to clusters: decode, backbone features (with the
// cached augmented views), DCCM head training, prediction. Baseline measured in the same run on the same features:
// k-means (cosine, best of 10 starts) — the head's ACC / NMI / ARI are reported as differences against it, and its
// time as a ratio — and plain Euclidean k-means on the raw embeddings (the usual "k-means on backbone features").
// `features` (bench/featureCeiling.ts) says how separable the classes are in these features at all. Automatic K is
// measured on folders of 3, 5 and 10 classes (100 photos per class, first classes of the dataset, several seeds)
// from the features of the largest run. Labels only score; they never steer training.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendPreference, type BackendInfo } from '../core/ml/backend.js';
import { defaultBackboneId } from '../core/ml/backbones/registry.js';
import { loadLabelledFolder } from '../core/ml/dataset.js';
import { loadFeatureMatrix, MemoryFeatureCache } from '../core/ml/finetune/features.js';
import { featureCeiling, type FeatureCeiling } from './featureCeiling.js';
import { runFinetune } from '../core/ml/finetune/finetune.js';
import { suggestK } from '../core/ml/finetune/suggestK.js';
import { kmeansOnBackend } from '../core/ml/kmeansBackend.js';
import { selectRows } from '../core/ml/rows.js';
import { scoreClustering, type ClusteringScores } from '../core/metrics/clustering.js';
import { sharedDir } from '../core/paths.js';
import { CIFAR_CLASSES } from '../test/cifarImages.js';

const cifar = path.join(sharedDir(), 'datasets', 'cifar10-test');
const PER_CLASS_FOR_K = 100;

/** The first `perClass` files of every class, linked into a temp folder (the whole dataset is used in place). */
function folderOf(perClass: number): { dir: string; temp: boolean } {
  const available = fs.readdirSync(path.join(cifar, CIFAR_CLASSES[0])).length;
  if (perClass >= available) return { dir: cifar, temp: false };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-bench-ft-'));
  for (const cls of CIFAR_CLASSES) {
    fs.mkdirSync(path.join(dir, cls));
    const names = fs.readdirSync(path.join(cifar, cls)).filter((f) => f.endsWith('.jpg')).sort().slice(0, perClass);
    for (const name of names) fs.copyFileSync(path.join(cifar, cls, name), path.join(dir, cls, name));
  }
  return { dir, temp: true };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function meanScores(all: ClusteringScores[]): Record<string, { mean: number; sd: number }> {
  const keys = Object.keys(all[0]!) as Array<keyof ClusteringScores>;
  return Object.fromEntries(keys.map((k) => [k, { mean: round(mean(all.map((s) => s[k]))), sd: round(sd(all.map((s) => s[k]))) }]));
}

interface SizeReport {
  images: number;
  failed: number;
  seconds: { decode: number; download: number; features: number; chooseK: number; training: number; predict: number; total: number };
  imagesPerSecond: { decode: number; features: number; backboneImages: number; training: number; endToEnd: number };
  backboneImages: number;
  kmeans: { seconds: number; seeds: number; scores: Record<string, { mean: number; sd: number }>; inertia: number[] };
  kmeansEuclideanRaw: { seeds: number; scores: Record<string, { mean: number; sd: number }> };
  features: FeatureCeiling;
  head: { scores: ClusteringScores; epochs: number; steps: number; clusterSizes: number[]; refilled: number[] };
  headSeeds: { runs: Array<{ seed: number; scores: ClusteringScores; refilled: number; trainingSeconds: number }>; scores: Record<string, { mean: number; sd: number }> };
  headSeedsMeanMinusKmeans: { acc: number; nmi: number; ari: number };
  headMinusKmeans: { acc: number; nmi: number; ari: number };
  headSeedsMeanMinusEuclideanKmeans: { acc: number; nmi: number; ari: number };
  headTimeOverKmeansTime: number;
  autoK: { k: number; reasoning: string; seconds: number };
  targets: { accGainAtLeast0_10: boolean; tenThousandWithin20Minutes: boolean | null };
  unitEmbeddings: Float32Array;
  labels: number[];
  dim: number;
}

async function oneSize(perClass: number, seed: number, kmeansSeeds: number, headSeeds: number, backend: BackendInfo, log: (s: string) => void): Promise<SizeReport> {
  const { dir, temp } = folderOf(perClass);
  try {
    const t0 = performance.now();
    const folder = await loadLabelledFolder(dir);
    const decode = (performance.now() - t0) / 1000;
    const n = folder.source.count;
    log(`${n} images decoded in ${decode.toFixed(1)} s`);
    const labels = folder.items.map((it) => it.label!);
    const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-bench-models-'));
    process.env.PHOTOCLUSTER_MODELS_URL ??= path.join(sharedDir(), 'models');
    let lastLog = 0;
    const cache = new MemoryFeatureCache();
    const fit = (headSeed: number) => runFinetune({
      ids: folder.items.map((it) => it.path),
      images: folder.source,
      pixelSource: 'input96',
      cache,
      backbone: defaultBackboneId(),
      modelsDir,
      backend,
      k: 10,
      seed: headSeed,
      progress: (phase, done, total) => {
        if (performance.now() - lastLog > 15_000 || done === total) {
          lastLog = performance.now();
          log(`${phase}: ${done}/${total}`);
        }
      },
      onTrainEvent: (e) => {
        if (e.type === 'epoch') log(`epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.total.toFixed(3)}, confident ${(100 * e.confidentShare).toFixed(1)} %, ${e.imagesPerSecond.toFixed(0)} img/s`);
      },
    });
    const r = await fit(seed);
    const total = (performance.now() - t0) / 1000;
    const dim = r.embeddingDim;
    // Further head seeds on the same (now cached) features: how much the head's result depends on its seed.
    const seedRuns = [{ seed, scores: scoreClustering(labels, r.cluster), refilled: r.refilled.length, trainingSeconds: round(r.seconds.training, 1) }];
    for (let s = 1; s < headSeeds; s++) {
      const again = await fit(seed + s);
      seedRuns.push({ seed: seed + s, scores: scoreClustering(labels, again.cluster), refilled: again.refilled.length, trainingSeconds: round(again.seconds.training, 1) });
      log(`head seed ${seed + s}: ${JSON.stringify(seedRuns.at(-1)!.scores)}`);
    }
    fs.rmSync(modelsDir, { recursive: true, force: true });

    const tk = performance.now();
    const kmeansRuns: ClusteringScores[] = [];
    const inertia: number[] = [];
    for (let s = 0; s < kmeansSeeds; s++) {
      const km = kmeansOnBackend(r.embeddings, n, dim, { k: 10, seed: s, restarts: 10 });
      kmeansRuns.push(scoreClustering(labels, km.assignments));
      inertia.push(round(km.inertia, 1));
    }
    const kmeansSeconds = (performance.now() - tk) / 1000 / kmeansSeeds;
    const kmeans = meanScores(kmeansRuns);
    const raw = loadFeatureMatrix(cache, r.featureKey, folder.items.map((it) => it.path)).embedding;
    const euclidean = meanScores(Array.from({ length: kmeansSeeds }, (_, s) => scoreClustering(labels, kmeansOnBackend(raw, n, dim, { k: 10, seed: s, restarts: 10 }).assignments)));
    const features = await featureCeiling(r.embeddings, n, dim, labels, 10);
    log(`Euclidean k-means on raw embeddings ${JSON.stringify(euclidean.acc)}; features ${JSON.stringify(features)}`);
    const head = scoreClustering(labels, r.cluster);
    const seedMeans = meanScores(seedRuns.map((x) => x.scores));
    log(`k-means ${JSON.stringify(kmeans.acc)}, head ${JSON.stringify(head)}`);

    const ta = performance.now();
    const auto = await suggestK(r.embeddings, n, dim, { seed });
    const autoSeconds = (performance.now() - ta) / 1000;

    const sizes = new Array<number>(r.k).fill(0);
    for (const c of r.cluster) sizes[c]! += 1;
    const headTime = r.seconds.training + r.seconds.predict;
    return {
      images: n,
      failed: folder.errors.length,
      seconds: { decode: round(decode, 2), ...Object.fromEntries(Object.entries(r.seconds).map(([k, v]) => [k, round(v, 2)])), total: round(total, 2) } as SizeReport['seconds'],
      backboneImages: r.features.backboneImages,
      imagesPerSecond: {
        decode: round(n / decode, 1),
        features: round(n / r.seconds.features, 1),
        backboneImages: round(r.features.backboneImages / r.seconds.features, 1),
        training: round(r.training.history.reduce((a, h) => a + h.imagesPerSecond, 0) / Math.max(1, r.training.history.length), 1),
        endToEnd: round(n / total, 1),
      },
      kmeans: { seconds: round(kmeansSeconds, 2), seeds: kmeansSeeds, scores: kmeans, inertia },
      head: { scores: head, epochs: r.training.epochsCompleted, steps: r.training.steps, clusterSizes: sizes, refilled: r.refilled },
      headSeeds: { runs: seedRuns, scores: seedMeans },
      headSeedsMeanMinusKmeans: { acc: round(seedMeans.acc!.mean - kmeans.acc!.mean), nmi: round(seedMeans.nmi!.mean - kmeans.nmi!.mean), ari: round(seedMeans.ari!.mean - kmeans.ari!.mean) },
      headMinusKmeans: { acc: round(head.acc - kmeans.acc!.mean), nmi: round(head.nmi - kmeans.nmi!.mean), ari: round(head.ari - kmeans.ari!.mean) },
      kmeansEuclideanRaw: { seeds: kmeansSeeds, scores: euclidean },
      headSeedsMeanMinusEuclideanKmeans: { acc: round(seedMeans.acc!.mean - euclidean.acc!.mean), nmi: round(seedMeans.nmi!.mean - euclidean.nmi!.mean), ari: round(seedMeans.ari!.mean - euclidean.ari!.mean) },
      features,
      headTimeOverKmeansTime: round(headTime / kmeansSeconds, 1),
      autoK: { k: auto.k, reasoning: auto.reasoning, seconds: round(autoSeconds, 2) },
      targets: { accGainAtLeast0_10: seedMeans.acc!.mean - kmeans.acc!.mean >= 0.1, tenThousandWithin20Minutes: n >= 10_000 ? total <= 20 * 60 : null },
      unitEmbeddings: r.embeddings,
      labels,
      dim,
    };
  } finally {
    if (temp) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Automatic K on the first 3, 5 and 10 classes (PER_CLASS_FOR_K photos each), from already computed embeddings. */
async function autoKFolders(unit: Float32Array, labels: number[], dim: number, seeds: number): Promise<Array<{ classes: number; photos: number; suggested: number[]; withinTwo: number }>> {
  const rowsOf = (classes: number): number[] => {
    const seen = new Map<number, number>();
    const rows: number[] = [];
    labels.forEach((c, i) => {
      if (c >= classes || (seen.get(c) ?? 0) >= PER_CLASS_FOR_K) return;
      seen.set(c, (seen.get(c) ?? 0) + 1);
      rows.push(i);
    });
    return rows;
  };
  const out = [];
  for (const classes of [3, 5, 10]) {
    const rows = rowsOf(classes);
    const sub = selectRows(unit, dim, rows);
    const suggested: number[] = [];
    for (let s = 0; s < seeds; s++) suggested.push((await suggestK(sub, rows.length, dim, { seed: s })).k);
    out.push({ classes, photos: rows.length, suggested, withinTwo: suggested.filter((k) => Math.abs(k - classes) <= 2).length });
  }
  return out;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { sizes: { type: 'string', default: '1000,10000' }, seed: { type: 'string', default: '0' }, 'kmeans-seeds': { type: 'string', default: '3' }, 'k-seeds': { type: 'string', default: '5' }, 'head-seeds': { type: 'string', default: '3' }, backend: { type: 'string' } },
  });
  const sizes = values.sizes.split(',').map(Number);
  const seed = Number(values.seed);
  const backend = await initBackend(parseBackendPreference(values.backend));
  const log = (s: string) => void process.stderr.write(`[finetune] ${s}\n`);
  const runs: Array<Omit<SizeReport, 'unitEmbeddings' | 'labels' | 'dim'>> = [];
  let largest: SizeReport | null = null;
  for (const size of sizes) {
    log(`--- ${size} images`);
    const rep = await oneSize(Math.ceil(size / CIFAR_CLASSES.length), seed, Number(values['kmeans-seeds']), Number(values['head-seeds']), backend, log);
    const { unitEmbeddings: _u, labels: _l, dim: _d, ...printable } = rep;
    runs.push(printable);
    if (!largest || rep.images > largest.images) largest = rep;
  }
  const autoK = largest ? await autoKFolders(largest.unitEmbeddings, largest.labels, largest.dim, Number(values['k-seeds'])) : [];
  return {
    dataset: 'cifar10-test',
    backend: backend.name,
    backbone: defaultBackboneId(),
    load: os.loadavg(),
    runs,
    autoK: { perClass: PER_CLASS_FOR_K, folders: autoK },
  };
}
