// `npm run bench -- finetune [--dataset DIR[:SIZES]]... [--head-seeds N] [--kmeans-seeds N] [--k-seeds N] [--backend B]
//   (with --backend B other than wasm, also the head's training img/s on B and on wasm, the baseline)
//   [--backbone ID] [--config JSON] [--work DIR] [--fresh] [--dump DIR] [--corrections R,R,...]`
//   (--corrections: per R, a simulated user moves R wrongly placed photos per group of each seed's grouping — or R in
//   all, written Rt — and the folder is grouped again learning from them: ACC before, with the moves alone, and after;
//   bench/_corrections.ts)
//   [--review T,T,...] [--review-order O,O,...] (a simulated user goes through "Review unsure" after each seed's
//   grouping, looking at T photos in order O — the app's least sure first, or another order measured against it —
//   keeping the right ones and moving the wrong ones, and the folder is grouped again: ACC before, after Review, and
//   after grouping again; bench/_review.ts)
//   (--label-free: spectral clustering, a Gaussian mixture, Ward linkage, whitened k-means and self-labelling on the
//   same features, beside a linear probe trained with the labels — what bounds any head; bench/_labelFree.py)
//   [--k-resolution R,R,...] (automatic K at other merge resolutions than the app's 1, beside it; each case also
//   reports how many of a photo's graph neighbours share its class and the classes' modularity on that graph)
//   [--auto-k-runs N] (N more runs as the app runs by default, the number of groups chosen automatically: groups,
//   ACC, calibration and the share "Review unsure" lists)
//   [--placed-share F] (per head seed, a share F of the photos is held back, the rest grouped, and the held-back
//   photos placed by the saved model as Re-scan places them: how many land with their kind, their calibration, the
//   seconds; bench/_placement.ts)
// Fine-tune mode on labelled class-per-folder directories, through the app's own path: the library scan (thumbnails
// and model inputs in the content-addressed cache), backbone features cached in the library database, automatic or
// fixed K, the DCCM head, the partition check and the calibrated confidence — `runFinetune`, as the cluster task runs
// it. Default datasets: ../shared/datasets/cifar10-test at 1,000 photos and whole (10,000), and
// ../shared/datasets/clothing-photos whole (1,341 real phone photos). SIZES picks photos per class evenly
// (`1000` = the first 100 files of each of 10 classes; `all` = the folder itself).
// Per dataset and size, on the same cached features: k-means (cosine, best of 10 starts, several seeds) and the head
// (several seeds), mean ± sd of ACC / NMI / ARI, the head's gain over k-means, how often the partition check kept the
// head, calibration of the shipped confidence (expected calibration error, 10 bins, against "the photo is in its
// group's majority class") beside the raw softmax maximum, automatic K on the whole set and on five 3- and five 5-class
// subsets (the first classes, then seeded random draws), and how separable the classes are in these features at all
// (featureCeiling). Labels only score; nothing trains on them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, parseBackendPreference, type BackendInfo, type BackendPreference } from '../core/ml/runtime/backend.js';
import { defaultBackboneId } from '../core/ml/backbones/registry.js';
import { featurePixels } from '../core/ml/data/cachedImages.js';
import { kmeansStartsFor, recommendedFinetuneConfig, runFinetune, type FinetuneConfig, type FinetuneResult } from '../core/ml/finetune/finetune.js';
import { suggestionGraph, suggestK } from '../core/ml/finetune/suggestK.js';
import { neighbourModularity } from '../core/ml/finetune/partitionCheck.js';
import { kmeansOnBackend } from '../core/ml/kmeans/kmeansBackend.js';
import { selectRows } from '../core/ml/rows.js';
import { Rng } from '../core/ml/rng.js';
import { FeatureTable } from '../core/store/features.js';
import { calibration, inMajorityClass, type Calibration } from '../core/metrics/calibration.js';
import { scoreClustering, type ClusteringScores } from '../core/metrics/clustering.js';
import { sharedDir } from '../core/paths.js';
import { featureCeiling, type FeatureCeiling } from './featureCeiling.js';
import { CONFIDENCE_NEIGHBOURS, neighbourAgreement } from '../core/ml/finetune/confidence.js';
import { UNSURE_BELOW } from '../core/service/contractReads.js';
import { nearestNeighbours } from '../core/ml/finetune/neighbours.js';
import { defaultDatasets, parseDatasetSpec, scanDataset } from './_datasets.js';
import { headThroughput } from './_headThroughput.js';
import { correctionLabel, parseCorrectionAmount, simulateCorrections, type CorrectionAmount } from './_corrections.js';
import { REVIEW_ORDERS, reviewQueue, simulateReview, targetRanks, type ReviewOrder, type TargetRanks } from './_review.js';
import { runSklearn } from './_sklearn.js';
import { placementRuns } from './_placement.js';
import type { RunGuide } from '../core/ml/finetune/guidedPartition.js';
import { correctionEvidence, type Handling } from '../core/ml/finetune/correctedDoubt.js';

/** Photos per class in the 3- and 5-class folders automatic K is tried on. */
const PER_CLASS_FOR_K = 100;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
type Summary = Record<keyof ClusteringScores, { mean: number; sd: number }>;

function meanScores(all: ClusteringScores[]): Summary {
  const keys = Object.keys(all[0]!) as Array<keyof ClusteringScores>;
  return Object.fromEntries(keys.map((k) => [k, { mean: round(mean(all.map((s) => s[k]))), sd: round(sd(all.map((s) => s[k]))) }])) as Summary;
}

function roundedRanks(r: TargetRanks | null): TargetRanks | null {
  const shares = (x: TargetRanks['likeliestFirst']) => ({ first: round(x.first), firstThree: round(x.firstThree) });
  return r && { photos: r.photos, likeliestFirst: shares(r.likeliestFirst), byModelScores: shares(r.byModelScores), biggestFirst: shares(r.biggestFirst) };
}

function calibrationReport(c: Calibration) {
  return {
    ece: round(c.ece),
    maxGap: round(c.maxGap),
    meanConfidence: round(c.meanConfidence),
    observed: round(c.observed),
    bins: c.bins.filter((b) => b.photos > 0).map((b) => ({ range: `${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, photos: b.photos, confidence: round(b.meanConfidence, 3), observed: round(b.observed, 3) })),
  };
}

interface HeadRun {
  seed: number;
  scores: ClusteringScores;
  /** What the partition check shipped: the trained head's groups, or the k-means partition it started from. */
  shipped: FinetuneResult['partition']['shipped'];
  /** The trained head's own groups before the check (scored for the record, never used to choose). */
  headScores: ClusteringScores;
  kmeansStartScores: ClusteringScores;
  /**
   * Plain k-means of the plain embeddings with this run's seed and number of starts — what the app shipped on small
   * folders before it sorted them by groupingFeatures — so that the shipped groups are compared pair by pair.
   */
  plainKmeansScores: ClusteringScores;
  /** The partition check's label-free scores (modularity of each partition on the photos' look-alike graph). */
  checkScores: { head: number; kmeans: number };
  calibration: ReturnType<typeof calibrationReport>;
  softmaxCalibration: ReturnType<typeof calibrationReport>;
  /** Where Review's move targets put the right group for the wrongly placed unsure photos (bench/_review.ts). */
  reviewTargets: TargetRanks | null;
  refilled: number;
  seconds: FinetuneResult['seconds'];
}

/** A head run with the number of groups chosen automatically, as the app runs by default. */
interface AutoKRun {
  seed: number;
  /** Groups the app chose. */
  k: number;
  scores: ClusteringScores;
  calibration: ReturnType<typeof calibrationReport>;
  /** Share of photos "Review unsure" lists, and how many of those are rightly placed after all. */
  unsureShare: number;
  rightAmongUnsure: number | null;
  reviewTargets: TargetRanks | null;
}

/** Subsets of each size automatic K is tried on: the first classes, then random draws of classes. */
const SUBSETS_FOR_K = 5;

/** Rows of the classes in `pick`, at most `perClass` of each. */
function classRows(labels: readonly number[], pick: readonly number[], perClass: number): number[] {
  const seen = new Map<number, number>();
  const rows: number[] = [];
  labels.forEach((c, i) => {
    if (!pick.includes(c) || (seen.get(c) ?? 0) >= perClass) return;
    seen.set(c, (seen.get(c) ?? 0) + 1);
    rows.push(i);
  });
  return rows;
}

/** What the neighbour graph suggestK reads holds of the classes: labels only score it. */
async function classStructure(unit: Float32Array, n: number, dim: number, labels: readonly number[], seed: number) {
  const g = await suggestionGraph(unit, n, dim, { seed });
  const sampleLabels = Int32Array.from(g.rows, (r) => labels[r]!);
  let same = 0;
  g.neighbours.forEach((j, e) => (same += sampleLabels[j] === sampleLabels[Math.floor(e / g.nn)] ? 1 : 0));
  return { sameClassNeighbours: round(same / g.neighbours.length), classModularity: round(neighbourModularity(sampleLabels, g.neighbours, g.nn)) };
}

async function autoK(unit: Float32Array, labels: number[], dim: number, classes: number, seeds: number, resolutions: readonly number[]) {
  const out = [];
  const cases: Array<{ classes: number; pick: number[]; rows: number[] }> = [];
  for (const c of [3, 5].filter((c) => c < classes)) {
    for (let t = 0; t < SUBSETS_FOR_K; t++) {
      const pick = t === 0 ? [...Array(c).keys()] : new Rng(`ks${c}:${t}`).permutation(classes).slice(0, c);
      cases.push({ classes: c, pick, rows: classRows(labels, pick, PER_CLASS_FOR_K) });
    }
  }
  cases.push({ classes, pick: [...Array(classes).keys()], rows: labels.map((_, i) => i) });
  for (const c of cases) {
    const whole = c.rows.length === labels.length;
    const sub = whole ? unit : selectRows(unit, dim, c.rows);
    const subLabels = whole ? labels : c.rows.map((r) => labels[r]!);
    const tolerance = c.classes === classes ? 2 : 1;
    const byResolution = [];
    for (const resolution of resolutions) {
      const suggested: number[] = [];
      const modularity: number[] = [];
      let seconds = 0;
      for (let s = 0; s < seeds; s++) {
        const t0 = performance.now();
        const answer = await suggestK(sub, c.rows.length, dim, { seed: s, resolution });
        seconds += (performance.now() - t0) / 1000;
        suggested.push(answer.k);
        modularity.push(answer.details.modularity);
      }
      byResolution.push({ resolution, suggested, within: suggested.filter((k) => Math.abs(k - c.classes) <= tolerance).length, suggestionModularity: round(mean(modularity)), secondsPerRun: round(seconds / seeds, 2) });
    }
    // The app's rule is resolution 1; the other resolutions show what moving it would do.
    const app = byResolution.find((r) => r.resolution === 1) ?? byResolution[0]!;
    out.push({ classes: c.classes, classIndices: c.pick, photos: c.rows.length, suggested: app.suggested, tolerance, within: app.within, secondsPerRun: app.secondsPerRun, graph: { ...(await classStructure(sub, c.rows.length, dim, subLabels, 0)), suggestionModularity: app.suggestionModularity }, ...(resolutions.length > 1 ? { byResolution } : {}) });
  }
  return out;
}

/** Calibration of the photos the model placed: those the user placed show no confidence (they are not in doubt). */
function modelPlaced(confidence: Float32Array, correct: Uint8Array, pinned: readonly boolean[]): Calibration {
  const rows = pinned.flatMap((p, i) => (p ? [] : [i]));
  return calibration(Float32Array.from(rows, (i) => confidence[i]!), Uint8Array.from(rows, (i) => correct[i]!));
}

/** One seed of the simulated-user measurement: ACC of the first grouping, with the user's moves, and regrouped. */
interface CorrectionRun {
  seed: number;
  moved: number;
  before: number;
  afterMoves: number;
  learned: number;
  /** The plain k-means partition of the same run (what a run ignoring the user would start from). */
  plainKmeans: number;
  /** Grouping again, features cached (as in the app after the first run). */
  seconds: number;
  ece: number;
}

/** One seed's simulated Review session and the run after it (bench/_review.ts). */
interface ReviewRun {
  seed: number;
  /** Photos Review listed. */
  unsure: number;
  looked: number;
  kept: number;
  moved: number;
  rejected: number;
  before: number;
  afterReview: number;
  learned: number;
  /** Calibration error of the photos the app placed after grouping again. */
  ece: number;
}

interface Options {
  headSeeds: number;
  kmeansSeeds: number;
  kSeeds: number;
  /** Merge resolutions automatic K is measured at (1 is the app's rule). */
  kResolutions: number[];
  backbone: string;
  config: Partial<FinetuneConfig>;
  work: string;
  fresh: boolean;
  /** Folder for per-photo outcomes of every run (JSON), for offline analysis. */
  dump?: string;
  /** Photos a simulated user moves, per group or in all, before grouping again (bench/_corrections.ts); empty: not measured. */
  corrections: CorrectionAmount[];
  /** Photos a simulated user looks at in "Review unsure" before grouping again (bench/_review.ts); empty: not measured. */
  review: number[];
  /** The orders Review could offer its photos in, each measured. */
  reviewOrders: ReviewOrder[];
  /** Also run established label-free methods on the same features (bench/_labelFree.py, sklearn). */
  labelFree: boolean;
  /** Share of each folder's photos held back and placed later by the saved model, as Re-scan places them (0: none). */
  placedShare: number;
  /** Runs as the app runs by default: number of groups chosen automatically (Settings' "Choose automatically"). */
  autoKRuns: number;
  backend: BackendInfo;
  log: (s: string) => void;
}

async function oneSize(dataset: string, size: number | 'all', o: Options) {
  const { tag, scanned, scanSeconds } = await scanDataset(dataset, size, o.work, o.fresh);
  try {
    const { hashes, labels, classes } = scanned;
    if (!labels || !classes) throw new Error(`${dataset} is not class-per-folder`);
    const n = hashes.length;
    const k = classes.length;
    o.log(`${tag}: ${n} photos of ${k} classes scanned in ${scanSeconds.toFixed(1)} s (${scanned.errors.length} failed, ${scanned.duplicates} duplicates left out)`);
    const cfg = { ...recommendedFinetuneConfig(), ...o.config };
    const images = featurePixels('thumb320', scanned.cacheDir, hashes, cfg.featureSize);
    const cache = new FeatureTable(scanned.db);
    const modelsDir = path.join(o.work, 'models');
    process.env.PHOTOCLUSTER_MODELS_URL ??= path.join(sharedDir(), 'models');
    // Per-photo neighbour agreement of a run's groups, for the --dump files. The embeddings are the cached features,
    // the same in every run of this dataset, so their neighbour table is searched once.
    const dumpK = Math.min(CONFIDENCE_NEIGHBOURS, n - 1);
    let dumpTable: Int32Array | null = null;
    const agreementOf = async (run: FinetuneResult) => {
      dumpTable ??= await nearestNeighbours(run.embeddings, n, run.embeddingDim, dumpK);
      return neighbourAgreement(run.cluster, { neighbours: dumpTable, k: dumpK });
    };
    let lastLog = 0;
    const fit = (seed: number, guide?: RunGuide, kChoice: number | 'auto' = k) =>
      runFinetune({
        ...(guide ? { guide } : {}),
        ids: hashes,
        images,
        pixelSource: 'thumb320',
        cache,
        backbone: o.backbone,
        modelsDir,
        backend: o.backend,
        k: kChoice,
        seed,
        config: o.config,
        progress: (phase, done, total) => {
          if (performance.now() - lastLog > 20_000 || (done === total && phase !== 'train')) {
            lastLog = performance.now();
            o.log(`${tag} seed ${seed}: ${phase} ${done}/${total}`);
          }
        },
      });
    const runs: HeadRun[] = [];
    const clusters: Int32Array[] = [];
    const confidences: Float32Array[] = [];
    let first: FinetuneResult | null = null;
    for (let s = 0; s < o.headSeeds; s++) {
      const r = await fit(s);
      first ??= r;
      clusters.push(r.cluster);
      confidences.push(r.confidence);
      const correct = inMajorityClass(labels, r.cluster);
      const softmaxMax = Float32Array.from({ length: n }, (_, i) => Math.max(...r.probs.subarray(i * r.k, (i + 1) * r.k)));
      if (o.dump) {
        // Per-photo outcomes for fitting and checking the confidence curve offline (labels stay out of the app).
        fs.mkdirSync(o.dump, { recursive: true });
        // The embeddings are the same in every seed (cached features): written once, raw float32, row-major n × dim.
        const featuresFile = path.join(o.dump, `${tag}-features.f32`);
        if (s === 0) fs.writeFileSync(featuresFile, Buffer.from(r.embeddings.buffer, r.embeddings.byteOffset, r.embeddings.byteLength));
        const agreement = await agreementOf(r);
        fs.writeFileSync(path.join(o.dump, `${tag}-seed${s}.json`), JSON.stringify({ dim: r.embeddingDim, labels, cluster: [...r.cluster], head: [...r.partition.head], kmeans: [...r.partition.kmeans], agreement: [...agreement], softmax: [...softmaxMax], confidence: [...r.confidence], startAgreement: [...(r.confidenceSignals.startAgreement ?? [])], appAgreement: [...r.confidenceSignals.agreement] }));
      }
      runs.push({
        seed: s,
        scores: scoreClustering(labels, r.cluster),
        shipped: r.partition.shipped,
        headScores: scoreClustering(labels, r.partition.head),
        kmeansStartScores: scoreClustering(labels, r.partition.kmeans),
        plainKmeansScores: scoreClustering(labels, (await kmeansOnBackend(r.embeddings, n, r.embeddingDim, { k: r.k, seed: s, restarts: kmeansStartsFor(cfg, n) })).assignments),
        checkScores: { head: round(r.partition.scores.head), kmeans: round(r.partition.scores.kmeans) },
        calibration: calibrationReport(calibration(r.confidence, correct)),
        softmaxCalibration: calibrationReport(calibration(softmaxMax, correct)),
        reviewTargets: roundedRanks(targetRanks(labels, r.cluster, r.confidence, r.probs, r.k, r.embeddings, r.embeddingDim, UNSURE_BELOW)),
        refilled: r.refilled.length,
        seconds: Object.fromEntries(Object.entries(r.seconds).map(([key, v]) => [key, round(v, 2)])) as FinetuneResult['seconds'],
      });
      o.log(`${tag} seed ${s}: shipped ${r.partition.shipped} ACC ${runs.at(-1)!.scores.acc.toFixed(3)} (head ${runs.at(-1)!.headScores.acc.toFixed(3)}, k-means start ${runs.at(-1)!.kmeansStartScores.acc.toFixed(3)}; check ${JSON.stringify(runs.at(-1)!.checkScores)}), ECE ${runs.at(-1)!.calibration.ece} (softmax ${runs.at(-1)!.softmaxCalibration.ece}), Review targets ${JSON.stringify(runs.at(-1)!.reviewTargets)}`);
    }
    // What a user gets by default: the app picks the number of groups. Too few groups merge kinds, which is where
    // "N % sure" is most likely to overstate, so these runs are calibrated as well.
    const autoKRuns: AutoKRun[] = [];
    for (let s = 0; s < o.autoKRuns; s++) {
      const a = await fit(s, undefined, 'auto');
      const correct = inMajorityClass(labels, a.cluster);
      const unsure = [...a.confidence.keys()].filter((i) => a.confidence[i]! < UNSURE_BELOW);
      autoKRuns.push({
        seed: s,
        k: a.k,
        scores: scoreClustering(labels, a.cluster),
        calibration: calibrationReport(calibration(a.confidence, correct)),
        unsureShare: round(unsure.length / n),
        rightAmongUnsure: unsure.length ? round(unsure.filter((i) => correct[i]).length / unsure.length) : null,
        reviewTargets: roundedRanks(targetRanks(labels, a.cluster, a.confidence, a.probs, a.k, a.embeddings, a.embeddingDim, UNSURE_BELOW)),
      });
      if (o.dump) {
        fs.writeFileSync(path.join(o.dump, `${tag}-auto-seed${s}.json`), JSON.stringify({ k: a.k, labels, cluster: [...a.cluster], confidence: [...a.confidence], startAgreement: [...(a.confidenceSignals.startAgreement ?? [])], appAgreement: [...a.confidenceSignals.agreement] }));
      }
      o.log(`${tag} seed ${s}, automatic K: ${a.k} groups, ACC ${autoKRuns.at(-1)!.scores.acc.toFixed(3)}, ECE ${autoKRuns.at(-1)!.calibration.ece} (shown ${autoKRuns.at(-1)!.calibration.meanConfidence}, right ${autoKRuns.at(-1)!.calibration.observed})`);
    }
    const placement = o.placedShare > 0
      ? await placementRuns({ hashes, labels, cacheDir: scanned.cacheDir, cache, backbone: o.backbone, modelsDir, backend: o.backend, k, config: o.config, featureSize: cfg.featureSize, share: o.placedShare, seeds: o.headSeeds, workDir: path.join(o.work, tag), log: (s) => o.log(`${tag} ${s}`) })
      : null;
    const r = first!;
    const dim = r.embeddingDim;
    const kmeansRuns: ClusteringScores[] = [];
    const kmeansSeconds: number[] = [];
    for (let s = 0; s < o.kmeansSeeds; s++) {
      const tk = performance.now();
      const km = await kmeansOnBackend(r.embeddings, n, dim, { k, seed: 1000 + s, restarts: 10 });
      kmeansSeconds.push((performance.now() - tk) / 1000);
      kmeansRuns.push(scoreClustering(labels, km.assignments));
    }
    const kmeans = meanScores(kmeansRuns);
    const head = meanScores(runs.map((x) => x.scores));
    const trainedHead = meanScores(runs.map((x) => x.headScores));
    const paired = meanScores(runs.map((x) => x.plainKmeansScores));
    const features: FeatureCeiling = await featureCeiling(r.embeddings, n, dim, labels, k);
    const gain = { acc: round(head.acc.mean - kmeans.acc.mean), nmi: round(head.nmi.mean - kmeans.nmi.mean), ari: round(head.ari.mean - kmeans.ari.mean) };
    o.log(`${tag}: k-means ACC ${kmeans.acc.mean} ± ${kmeans.acc.sd}, shipped ${head.acc.mean} ± ${head.acc.sd} (gain ${gain.acc}), trained head ${trainedHead.acc.mean}, plain k-means with the run's seeds and starts ${paired.acc.mean}`);
    // What grouping again is told of the simulated user's work, counted as the app counts it (runGuide.ts
    // correctionsSince): each photo's confidence in seed s's first grouping, and what the user did with it.
    const correctionsOf = (s: number, handled: (photo: number) => Handling) => correctionEvidence(Array.from(confidences[s]!, (confidence, i) => ({ confidence, handled: handled(i) })));
    const corrections = [];
    for (const amount of o.corrections) {
      const label = correctionLabel(amount);
      const rows: CorrectionRun[] = [];
      for (let s = 0; s < clusters.length; s++) {
        const sim = simulateCorrections(labels, clusters[s]!, amount, `corrections:${label}:${s}`);
        // Every photo the simulated user moved was a mistake found.
        const again = await fit(s, { ...sim.guide, corrections: correctionsOf(s, (i) => (sim.guide.pinned[i] ? 'found-wrong' : 'untouched')) });
        if (o.dump) {
          // Per-photo outcomes of the guided run, for fitting its confidence curve offline (GUIDED_CONFIDENCE_CURVE).
          const agreement = await agreementOf(again);
          fs.writeFileSync(path.join(o.dump, `${tag}-corrections${label}-seed${s}.json`), JSON.stringify({ labels, cluster: [...again.cluster], pinned: sim.guide.pinned, agreement: [...agreement], confidence: [...again.confidence] }));
        }
        rows.push({ seed: s, moved: sim.moved, before: scoreClustering(labels, clusters[s]!).acc, afterMoves: scoreClustering(labels, sim.partition).acc, learned: scoreClustering(labels, again.cluster).acc, plainKmeans: scoreClustering(labels, again.partition.kmeans).acc, seconds: round(Object.values(again.seconds).reduce((a, b) => a + b, 0), 1), ece: calibrationReport(modelPlaced(again.confidence, inMajorityClass(labels, again.cluster), sim.guide.pinned)).ece });
        o.log(`${tag} seed ${s}: ${sim.moved} photos moved by hand (${'total' in amount ? 'in all' : `${label} per group`}): ACC ${rows.at(-1)!.afterMoves.toFixed(3)} with the moves alone, ${rows.at(-1)!.learned.toFixed(3)} after grouping again (${again.partition.shipped}; plain k-means ${rows.at(-1)!.plainKmeans.toFixed(3)}), ECE ${rows.at(-1)!.ece}`);
      }
      const m = (f: (x: CorrectionRun) => number) => ({ mean: round(mean(rows.map(f))), sd: round(sd(rows.map(f))) });
      corrections.push({ ...amount, moved: m((x) => x.moved), before: m((x) => x.before), afterMoves: m((x) => x.afterMoves), learned: m((x) => x.learned), ece: m((x) => x.ece), seconds: m((x) => x.seconds), runs: rows });
    }
    const reviews = [];
    for (const order of o.reviewOrders) {
      for (const looked of o.review) {
        const rows: ReviewRun[] = [];
        for (let s = 0; s < clusters.length; s++) {
          const queue = reviewQueue(clusters[s]!, confidences[s]!, UNSURE_BELOW, order, `review:${order}:${s}`);
          const sim = simulateReview(labels, clusters[s]!, queue, looked);
          const again = await fit(s, { ...sim.guide, corrections: correctionsOf(s, (i) => (sim.outcome[i] === 'kept' ? 'kept' : sim.outcome[i] === null ? 'untouched' : 'found-wrong')) });
          if (o.dump) {
            // Per-photo outcomes, with what the user did to each photo, for checking "N % sure" after a Review offline.
            fs.writeFileSync(path.join(o.dump, `${tag}-review-${order}${looked}-seed${s}.json`), JSON.stringify({ labels, cluster: [...again.cluster], pinned: sim.guide.pinned, outcome: sim.outcome, confidence: [...again.confidence] }));
          }
          const ece = calibrationReport(modelPlaced(again.confidence, inMajorityClass(labels, again.cluster), sim.guide.pinned)).ece;
          rows.push({ seed: s, unsure: queue.length, looked: sim.looked, kept: sim.kept, moved: sim.moved, rejected: sim.rejected, before: scoreClustering(labels, clusters[s]!).acc, afterReview: scoreClustering(labels, sim.partition).acc, learned: scoreClustering(labels, again.cluster).acc, ece });
          const x = rows.at(-1)!;
          o.log(`${tag} seed ${s}: Review (${order}) ${x.looked} of ${x.unsure} unsure looked at, ${x.kept} kept, ${x.moved} moved, ${x.rejected} not this group: ACC ${x.before.toFixed(3)} → ${x.afterReview.toFixed(3)} after Review → ${x.learned.toFixed(3)} after grouping again, ECE ${x.ece}`);
        }
        const m = (f: (x: ReviewRun) => number) => ({ mean: round(mean(rows.map(f))), sd: round(sd(rows.map(f))) });
        reviews.push({ order, looked, kept: m((x) => x.kept), moved: m((x) => x.moved), before: m((x) => x.before), afterReview: m((x) => x.afterReview), learned: m((x) => x.learned), ece: m((x) => x.ece), runs: rows });
      }
    }
    const labelFree = o.labelFree ? runSklearn('_labelFree.py', { features: r.embeddings, labels: Int32Array.from(labels) }, { dim, k, seeds: o.kmeansSeeds }) : null;
    if (labelFree) o.log(`${tag}: label-free methods ${JSON.stringify(Object.fromEntries(Object.entries(labelFree).map(([m, v]) => [m, (v as { mean?: number }).mean ?? v])))}`);
    const auto = await autoK(r.embeddings, labels, dim, k, o.kSeeds, o.kResolutions);
    o.log(`${tag}: automatic K ${JSON.stringify(auto.map((a) => [a.classes, a.suggested]))}`);
    const filesToGroups = scanSeconds + Object.values(runs[0]!.seconds).reduce((a, b) => a + b, 0);
    return {
      dataset,
      size,
      photos: n,
      classes: k,
      failed: scanned.errors.length,
      duplicatesLeftOut: scanned.duplicates,
      backbone: o.backbone,
      featureKey: r.featureKey,
      seconds: { scan: round(scanSeconds, 1), firstRun: runs[0]!.seconds, filesToGroups: round(filesToGroups, 1) },
      backboneImages: r.features.backboneImages,
      kmeans: { seeds: o.kmeansSeeds, restarts: 10, scores: kmeans, secondsPerRun: round(mean(kmeansSeconds), 2) },
      head: { seeds: o.headSeeds, scores: head, gainOverKmeans: gain, shippedHead: runs.filter((x) => x.shipped === 'head').length, trainedHeadScores: trainedHead, plainKmeansScores: paired, gainOverPlainKmeans: round(head.acc.mean - paired.acc.mean), runs },
      calibration: { ece: { mean: round(mean(runs.map((x) => x.calibration.ece))), max: round(Math.max(...runs.map((x) => x.calibration.ece))) }, softmaxEce: round(mean(runs.map((x) => x.softmaxCalibration.ece))) },
      autoK: auto,
      ...(autoKRuns.length
        ? { autoKRuns: { runs: autoKRuns, scores: meanScores(autoKRuns.map((x) => x.scores)), ece: { mean: round(mean(autoKRuns.map((x) => x.calibration.ece))), max: round(Math.max(...autoKRuns.map((x) => x.calibration.ece))) } } }
        : {}),
      ...(placement ? { placement: { ...placement, secondsPerRun: round(mean(placement.runs.map((x) => x.seconds)), 2) } } : {}),
      ...(corrections.length ? { corrections } : {}),
      ...(reviews.length ? { reviews } : {}),
      ...(labelFree ? { labelFree } : {}),
      features,
    };
  } finally {
    scanned.close();
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      dataset: { type: 'string', multiple: true },
      'head-seeds': { type: 'string', default: '3' },
      'kmeans-seeds': { type: 'string', default: '3' },
      'k-seeds': { type: 'string', default: '3' },
      'k-resolution': { type: 'string', default: '1' },
      dump: { type: 'string' },
      corrections: { type: 'string' },
      review: { type: 'string' },
      'review-order': { type: 'string' },
      'label-free': { type: 'boolean', default: false },
      'auto-k-runs': { type: 'string', default: '0' },
      'placed-share': { type: 'string', default: '0' },
      backend: { type: 'string' },
      backbone: { type: 'string' },
      config: { type: 'string' },
      work: { type: 'string' },
      fresh: { type: 'boolean', default: false },
    },
  });
  const datasets = values.dataset?.length ? values.dataset.map(parseDatasetSpec) : defaultDatasets();
  if (!(Number(values['head-seeds']) >= 1)) throw new Error('--head-seeds must be at least 1 (the given-K runs are the reference)');
  const placedShare = Number(values['placed-share']);
  if (!(placedShare >= 0 && placedShare < 1)) throw new Error(`--placed-share takes a share of the photos from 0 to below 1, got ${values['placed-share']}`);
  const preference = parseBackendPreference(values.backend);
  // --backend B: the head's training img/s on B next to the wasm baseline, measured in the same run.
  let imagesPerSecondByBackend: Record<string, unknown> | undefined;
  if (preference && preference !== 'auto' && preference !== 'wasm') {
    const speed = async (b: Exclude<BackendPreference, 'auto'>) => headThroughput(b).catch((err: Error) => ({ backend: b, error: err.message }));
    imagesPerSecondByBackend = { wasm: await speed('wasm'), [preference]: await speed(preference) };
    process.stderr.write(`[finetune] head training: ${JSON.stringify(imagesPerSecondByBackend)}\n`);
  }
  const backend = await initBackend(preference);
  const log = (s: string) => void process.stderr.write(`[finetune] ${s}\n`);
  const o: Options = {
    headSeeds: Number(values['head-seeds']),
    kmeansSeeds: Number(values['kmeans-seeds']),
    kSeeds: Number(values['k-seeds']),
    kResolutions: values['k-resolution'].split(',').map((v) => {
      const r = Number(v);
      if (!(r > 0)) throw new Error(`--k-resolution takes positive numbers, got ${v}`);
      return r;
    }),
    backbone: values.backbone ?? defaultBackboneId(),
    config: values.config ? (JSON.parse(values.config) as Partial<FinetuneConfig>) : {},
    work: path.resolve(values.work ?? path.join(os.tmpdir(), 'photocluster-bench-finetune')),
    fresh: values.fresh,
    ...(values.dump ? { dump: path.resolve(values.dump) } : {}),
    corrections: values.corrections ? values.corrections.split(',').map(parseCorrectionAmount) : [],
    review: values.review
      ? values.review.split(',').map((v) => {
          const t = Number(v);
          if (!(Number.isInteger(t) && t >= 1)) throw new Error(`--review takes whole numbers of photos from 1, got ${v}`);
          return t;
        })
      : [],
    reviewOrders: values['review-order']
      ? values['review-order'].split(',').map((v) => {
          if (!REVIEW_ORDERS.includes(v as ReviewOrder)) throw new Error(`--review-order takes ${REVIEW_ORDERS.join(', ')}; got ${v}`);
          return v as ReviewOrder;
        })
      : [...REVIEW_ORDERS],
    labelFree: values['label-free'],
    autoKRuns: Number(values['auto-k-runs']),
    placedShare,
    backend,
    log,
  };
  const results = [];
  for (const d of datasets) for (const size of d.sizes) results.push(await oneSize(d.dir, size, o));
  return {
    backend: backend.name,
    ...(imagesPerSecondByBackend ? { imagesPerSecondByBackend } : {}),
    backbone: o.backbone,
    config: { ...recommendedFinetuneConfig(), ...o.config },
    load: os.loadavg(),
    results,
    targets: results.map((r) => ({
      dataset: path.basename(r.dataset),
      size: r.size,
      accGain: r.head.gainOverKmeans.acc,
      ece: r.calibration.ece.mean,
      autoKWithin: [...new Set(r.autoK.map((a) => a.classes))].map((c) => {
        const cases = r.autoK.filter((a) => a.classes === c);
        const within = cases.reduce((s, a) => s + a.within, 0);
        const answers = cases.reduce((s, a) => s + a.suggested.length, 0);
        return `${c} classes (${cases.length} set${cases.length === 1 ? '' : 's'}): ${within}/${answers} within ±${cases[0]!.tolerance}`;
      }),
      ...(o.kResolutions.length > 1
        ? {
            autoKWithinByResolution: Object.fromEntries(
              o.kResolutions.map((res, i) => {
                const all = r.autoK.map((a) => a.byResolution![i]!);
                return [res, `${all.reduce((s, a) => s + a.within, 0)}/${all.reduce((s, a) => s + a.suggested.length, 0)} within tolerance; ${r.classes} classes: ${all.at(-1)!.suggested.join(', ')}`];
              }),
            ),
          }
        : {}),
    })),
  };
}
