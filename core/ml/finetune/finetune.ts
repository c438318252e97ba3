/**
 * Fine-tune mode end to end: a pretrained backbone (downloaded and verified once), cached features of every photo
 * and of augmented views of it, an automatic or fixed K, and a DCCM head trained on the cached features with the
 * same trainer and losses as the from-scratch network. Shared by the ML worker's tasks, `photocluster train` and
 * the benchmark.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LEARNS_FROM_PLACEMENTS_BELOW } from '../../api.js';
import type { JobPhase } from '../../api.js';
import type { BackendInfo } from '../runtime/backend.js';
import type { ImageSource } from '../data/dataset.js';
import { ensureBackbone, BackboneDownloadError } from '../backbones/download.js';
import { createFeatureExtractor, type FeatureExtractor } from '../backbones/extractor.js';
import { createParallelExtractor } from '../backbones/extractorPool.js';
import { getBackbone } from '../backbones/registry.js';
import { batchesPerPass, chunkBounds, PAPER_TRAIN_CONFIG, train, type TrainConfig, type TrainEvent, type TrainResult } from '../training/trainer.js';
import { predict, recalibrateBatchNorm } from '../training/inference.js';
import { kmeansOnBackend } from '../kmeans/kmeansBackend.js';
import { Rng } from '../rng.js';
import { loadModel, saveModel, readCheckpoint } from '../training/checkpoint.js';
import { ensureFeatures, featureKey, loadFeatureMatrix, type EnsureFeaturesResult, type FeatureCache, type FeatureMatrix } from './backboneFeatures.js';
import { FeatureViews } from './featureViews.js';
import { createFeatureHead, FeatureHead, initFromPartition } from './head.js';
import { nearestIn, nearestNeighbours } from './neighbours.js';
import { centred, groupingFeatures } from './groupingFeatures.js';
import { suggestK, type KSuggestion } from './suggestK.js';
import { defaultMinClusterSize, refillSmallClusters } from './smallClusters.js';
import { l2Normalize, selectRows } from '../rows.js';
import { nearestCentroid } from '../kmeans/kmeans.js';
import { expectedRightShare, liftDoubt, scaleDoubt, type CorrectionEvidence } from './correctedDoubt.js';
import { calibrate, CONFIDENCE_NEIGHBOURS, confidenceCurve, confidenceNeighbours, confidenceSignals, groupConfidence, otherStarts, type CalibrationCurve, type ConfidenceSignals } from './confidence.js';
import { choosePartition, neighbourModularity, type ShippedPartition } from './partitionCheck.js';
import { guidedK, guidedPartition, summariseGuide, type RunGuide } from './guidedPartition.js';

export interface FinetuneConfig {
  /**
   * Side the backbone sees. Real phone photos group far better at the backbone's native 224 px than at 96–128
   * (bench/features.ts, clothing photos); CIFAR's 32 px images gain nothing from it.
   */
  featureSize: number;
  /**
   * Augmented views cached per photo for the transform-robustness terms — computed only where they pay: see
   * `augmentWithKmeansStart`.
   */
  augmentedViews: number;
  /**
   * Whether a head that starts at the k-means partition (folders under `kmeansInitBelow`) and is trained there at all
   * (`trainFromKmeansStart`) also gets augmented views. Measured (bench/finetune.ts, 3 seeds): from the k-means start they change nothing beyond seed noise (clothing
   * 0.595 with, 0.590 without; CIFAR 1,000 0.395 / 0.399) while costing a full backbone pass per photo, half the
   * feature time of a run; from the random start on 10,000 photos they are the head's gain (seed 0: 0.497 with,
   * 0.384 without). Neighbours stand in as transformed views either way.
   */
  augmentWithKmeansStart: boolean;
  /**
   * Whether a folder under `kmeansInitBelow` trains the head from its k-means start at all; when not, the k-means
   * groups are shipped as they are, with the head's output layer fitted to them so that photos added later are placed
   * the same way. Measured against each run's own k-means start (bench/finetune.ts, `kmeansStartScores`; 20 folders
   * of 90–1,341 photos, 3–10 kinds, clothing and CIFAR-10, three seeds): training ended 0.018 ACC below its start on
   * average and lower in 38 of 60 runs, NMI lower in 55 (by 0.052 on average); the partition check caught only part
   * of it (shipped groups 0.006 below the start). Every 3–6-kind folder lost (e.g. shoes, hats and dresses 0.972 →
   * 0.925), and on the 10-kind folders of 1,000 photos it was level (clothing +0.001, CIFAR-10 +0.015). Training is
   * most of a small run's time. From `kmeansInitBelow` on, the head starts at random and is where DCCM gains (10,000
   * CIFAR-10: +0.064).
   */
  trainFromKmeansStart: boolean;
  /** Hidden widths of the head's MLP. */
  hidden: number[];
  /** Probability that a transformed view uses one of the cached augmented views rather than plain features. */
  augmentedShare: number;
  /**
   * Nearest neighbours (cosine, backbone embedding) that may stand in for the photo in a transformed view: a
   * neighbour is a transformation that keeps the content's meaning, so L'_PG/L'_PL also ask neighbours to agree
   * (0 = off).
   */
  neighbours: number;
  /** Probability that a transformed view is of a random nearest neighbour. */
  neighbourShare: number;
  /**
   * How the head starts: 'kmeans' puts its output layer at the k-means partition of the embeddings, 'random' is the
   * paper's start, 'auto' picks k-means below `kmeansInitBelow` photos. Measured (bench/finetune.ts): on 60 and 1,000
   * CIFAR photos a random start drifts below k-means and the k-means start stays level with it; on 10,000 the random
   * start is 0.05–0.09 ACC above k-means while the k-means start loses groups.
   */
  init: 'auto' | 'kmeans' | 'random';
  kmeansInitBelow: number;
  /** k-means start: share of photos whose starting prediction passes the pseudo-label threshold. */
  initConfidentShare: number;
  /** Fewest optimiser steps a run takes: small folders get more passes per big batch instead of too few steps. */
  minSteps: number;
  train: Partial<TrainConfig>;
}

/** Settings measured in bench/finetune.ts on real and CIFAR photos; the head is small, so every backend runs the same schedule. */
export function recommendedFinetuneConfig(): FinetuneConfig {
  return {
    featureSize: 224,
    // One augmented view per photo: at 224 px every view costs a full backbone pass (the time budget of a run).
    augmentedViews: 1,
    augmentWithKmeansStart: false,
    trainFromKmeansStart: false,
    augmentedShare: 0.2,
    hidden: [512],
    neighbours: 20,
    neighbourShare: 1,
    init: 'auto',
    kmeansInitBelow: LEARNS_FROM_PLACEMENTS_BELOW,
    initConfidentShare: 0.5,
    minSteps: 400,
    train: {
      ...PAPER_TRAIN_CONFIG,
      epochs: 12,
      bigBatch: 1000,
      miniBatch: 128,
      passes: 2,
      augmentedViews: 1,
      learningRate: 3e-3,
      miHidden: 32,
    },
  };
}

export interface FinetuneOptions {
  /** Cache ids (content hashes), one per image, same order as `images`. */
  ids: readonly string[];
  images: ImageSource;
  /** Names the pixel source in the feature key (e.g. "input96"): features from other pixels are other features. */
  pixelSource: string;
  cache: FeatureCache;
  backbone: string;
  modelsDir: string;
  backend: BackendInfo;
  k: number | 'auto';
  seed: number;
  /**
   * Training passes. Set, it is a request to train: a folder under `kmeansInitBelow` photos then trains its head from
   * the k-means start too (otherwise it ships the k-means groups untrained, see `trainFromKmeansStart`).
   */
  epochs?: number;
  config?: Partial<FinetuneConfig>;
  /** Checkpoints (`train/`), the run's plan and the trained model (`model/`) live here. */
  runDir?: string;
  resume?: boolean;
  signal?: AbortSignal;
  /** Feature extraction threads; default one in-process session. */
  extractorWorkers?: number;
  progress?: (phase: JobPhase, done: number, total: number, message?: string) => void;
  onTrainEvent?: (e: TrainEvent) => void;
  /**
   * The user's groups as they are, with the photos placed by hand marked (guidedPartition.ts). Below the random-start
   * size (kmeansInitBelow) the run starts from them and refines them around the hand-placed photos, which stay in
   * their groups, and trains no head (shipGuided); K is raised to the number of groups holding hand-placed photos
   * when smaller. Above that size the guide is not used (see guidedPartition.ts); absent, likewise an ordinary run.
   */
  guide?: RunGuide;
}

export interface FinetuneResult {
  k: number;
  kSuggested: number | null;
  kReasoning: string | null;
  config: FinetuneConfig & { backbone: string; featureKey: string };
  featureKey: string;
  features: EnsureFeaturesResult;
  training: TrainResult;
  cluster: Int32Array;
  /** Calibrated: among photos shown as p sure, about p lie in their group's majority kind (confidence.ts). */
  confidence: Float32Array;
  /** What `confidence` was read from (the bench dumps them to fit the curves). */
  confidenceSignals: ConfidenceSignals;
  probs: Float32Array;
  /** Unit-length backbone embeddings (what a later split or map of the groups works with). */
  embeddingDim: number;
  embeddings: Float32Array;
  /** Groups that were empty or tiny after training and were refilled by splitting the widest groups. */
  refilled: number[];
  /**
   * Which grouping was shipped (see partitionCheck.ts): the trained head's, or the k-means partition, whichever kept
   * the photos' augmented views together better; both are returned for the record and `reason` says why. A guided run
   * ships 'guided': `head` is then the user's groups refined (what the saved output layer was fitted to), `kmeans`
   * the plain k-means partition of the same photos. `trained` says whether a head was trained at all: a small folder's
   * run ships its k-means groups untrained (`trainFromKmeansStart`), and `head` is then those groups too.
   */
  partition: { shipped: ShippedPartition; head: Int32Array; kmeans: Int32Array; reason: string; scores: { head: number; kmeans: number }; trained: boolean };
  seconds: { download: number; features: number; chooseK: number; training: number; predict: number };
  /** Directory of the saved model, when `runDir` was given. */
  modelDir: string | null;
  /**
   * What the run learned from the user: hand-placed photos and the groups they are in, and which output each of the
   * user's groups (guide slot) became (null when no guide was given).
   */
  guided: GuidedSummary | null;
}

/** What a guided run learned from the user, and how it read the user's corrections into "N % sure". */
export interface GuidedSummary {
  photos: number;
  groups: number;
  outputOfSlot: Array<[number, number]>;
  /** Share of the photos the user left alone expected to be right, from the corrections (null: not known). */
  expectedRight?: number | null;
  /** What every placed photo's doubt was multiplied by to show that (1: the curve alone; correctedDoubt.ts). */
  doubtScale?: number;
}

/** What a saved fine-tune model needs to turn new photos into features exactly as in training. */
export interface FinetuneModelMeta {
  mode: 'finetune';
  backbone: string;
  featureSize: number;
  pixelSource: string;
  featureKey: string;
  /** The groups were refined around photos placed by hand: new photos' confidence uses GUIDED_CONFIDENCE_CURVE. */
  guided?: boolean;
  /** New photos' doubt is multiplied by this too, as the run's photos' was after the user's corrections (correctedDoubt.ts). */
  doubtScale?: number;
}

export class BackboneUnavailableError extends Error {
  override name = 'BackboneUnavailableError';
}

/** ensureBackbone with an error that tells the user what to do when the download cannot happen. */
export async function getBackboneDir(id: string, modelsDir: string, opts: { signal?: AbortSignal; progress?: FinetuneOptions['progress'] } = {}): Promise<string> {
  try {
    return await ensureBackbone(id, {
      modelsDir,
      signal: opts.signal,
      onProgress: (p) => opts.progress?.('download-model', p.bytes, p.total, `${id}: ${p.file}`),
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (err instanceof BackboneDownloadError) {
      throw new BackboneUnavailableError(
        `the pretrained backbone ${id} is not installed and could not be downloaded (${err.message}). ` +
          'Point PHOTOCLUSTER_MODELS_URL at a folder or server holding the models, or use scratch mode, which needs no download.',
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * The backbone for feature extraction. In one session, onnxruntime may use up to four cores: at 224 px the backbone is
 * most of a run's time, and its own threads are the cheapest way to spread it (bench/features.ts, parallel rows).
 */
export async function openExtractor(id: string, dir: string, featureSize: number, workers = 1): Promise<FeatureExtractor> {
  if (workers > 1) return createParallelExtractor(id, { dir, inputSize: featureSize, workers, runtime: 'auto' });
  return createFeatureExtractor(id, { dir, inputSize: featureSize, runtime: 'auto', onnxThreads: Math.max(1, Math.min(4, os.availableParallelism())) });
}

interface Plan {
  k: number;
  kSuggested: number | null;
  kReasoning: string | null;
  featureKey: string;
}

async function readPlan(runDir: string): Promise<Plan | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(runDir, 'plan.json'), 'utf8')) as Plan;
  } catch {
    return null;
  }
}

async function writePlan(runDir: string, plan: Plan): Promise<void> {
  await fs.mkdir(runDir, { recursive: true });
  const tmp = path.join(runDir, 'plan.json.tmp');
  await fs.writeFile(tmp, JSON.stringify(plan, null, 2));
  await fs.rename(tmp, path.join(runDir, 'plan.json'));
}

const since = (t0: number): number => (performance.now() - t0) / 1000;

/** Trains a DCCM head on backbone features of `images` and groups them; throws if cancelled. */
export async function runFinetune(opts: FinetuneOptions): Promise<FinetuneResult> {
  const cfg: FinetuneConfig = { ...recommendedFinetuneConfig(), ...opts.config };
  const n = opts.ids.length;
  const progress = opts.progress ?? (() => {});
  if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'}; grouping needs at least 2`);
  if (opts.k !== 'auto' && opts.k > n) throw new Error(`k = ${opts.k} exceeds the number of images (${n})`);
  const spec = getBackbone(opts.backbone);
  const kmeansStart = startsAtKmeans(cfg, n);
  // What the user placed by hand is learned from below the random-start size only (guidedPartition.ts says why); above
  // it a run is the ordinary one, and regroupPlan keeps the placed photos where they are.
  const guide = kmeansStart ? opts.guide : undefined;
  // Transformed copies serve training only: a small folder's run trains from k-means only where configured or where
  // the user set a number of training passes (an explicit request is honoured), and a guided one never (shipGuided).
  const trains = !kmeansStart || ((cfg.trainFromKmeansStart || opts.epochs !== undefined) && !guide);
  const augmentedViews = !trains || (kmeansStart && !cfg.augmentWithKmeansStart) ? 0 : cfg.augmentedViews;
  let t0 = performance.now();
  const dir = await getBackboneDir(spec.id, opts.modelsDir, { signal: opts.signal, progress });
  const download = since(t0);

  t0 = performance.now();
  const extractor = await openExtractor(spec.id, dir, cfg.featureSize, opts.extractorWorkers);
  const key = featureKey(extractor.cacheKey, opts.pixelSource);
  let features: EnsureFeaturesResult;
  try {
    features = await ensureFeatures({
      ids: opts.ids,
      images: opts.images,
      extractor,
      cache: opts.cache,
      key,
      augmentedViews,
      signal: opts.signal,
      onProgress: (done, total) => progress('features', done, total),
    });
  } finally {
    extractor.dispose();
  }
  const matrix = loadFeatureMatrix(opts.cache, key, opts.ids);
  const unit = l2Normalize(matrix.embedding, n, matrix.embeddingDim);
  const featureSeconds = since(t0);

  t0 = performance.now();
  const saved = opts.resume && opts.runDir ? await readPlan(opts.runDir) : null;
  let plan: Plan;
  if (saved && saved.featureKey === key) plan = saved;
  else if (opts.k === 'auto') {
    progress('choose-k', 0, 1);
    const s: KSuggestion = await suggestK(unit, n, matrix.embeddingDim, { seed: opts.seed });
    plan = { k: s.k, kSuggested: s.k, kReasoning: s.reasoning, featureKey: key };
    progress('choose-k', 1, 1, s.reasoning);
  } else plan = { k: opts.k, kSuggested: null, kReasoning: null, featureKey: key };
  if (guide && plan !== saved) {
    // A run that learns from the user starts from the user's groups: "automatic" keeps at least as many of them.
    const k = Math.min(n, guidedK(plan.k, guide, opts.k === 'auto'));
    if (k !== plan.k) plan = { ...plan, k, kReasoning: plan.kReasoning && `${plan.kReasoning} Made ${k} instead, to keep your groups.` };
  }
  if (opts.runDir) await writePlan(opts.runDir, plan);
  const chooseK = since(t0);

  t0 = performance.now();
  const d = matrix.embeddingDim;
  // One neighbour table serves the transformed views (a prefix of it) and the confidence of every photo.
  const tableK = Math.min(CONFIDENCE_NEIGHBOURS, n - 1);
  const table = await nearestNeighbours(unit, n, d, tableK);
  // Small folders get fewer neighbours as views, so that a neighbour is still likely to show the same kind of thing.
  const viewK = Math.min(cfg.neighbours, Math.max(5, Math.round(n / 50)), tableK);
  const neighbours = viewK > 0 && cfg.neighbourShare > 0 ? { k: viewK, index: prefixColumns(table, n, tableK, viewK) } : null;
  const views = new FeatureViews(matrix, opts.ids, opts.cache, key, { augmentedViews, augmentedShare: augmentedViews > 0 ? cfg.augmentedShare : 0, neighbours, neighbourShare: cfg.neighbourShare });
  const head = createFeatureHead({ embeddingDim: d, shallowShape: extractor.shallowShape, hidden: cfg.hidden, k: plan.k, seed: opts.seed });
  const labelThreshold = cfg.train.thresholds?.label ?? PAPER_TRAIN_CONFIG.thresholds.label;
  try {
    // Small folders' groups are k-means' own, so k-means sorts them by what tells their photos apart (groupingFeatures.ts).
    const sortBy = kmeansStart ? await groupingFeatures(unit, n, d) : unit;
    const { partition: kmeans, starts } = await kmeansPartition(sortBy, n, d, plan.k, opts.seed, { restarts: kmeansStartsFor(cfg, n) });
    const shipped = guide
      ? await shipGuided(head, views, centred(unit, n, d), kmeans, guide, { table, tableK, labelThreshold, confidentShare: cfg.initConfidentShare, seed: opts.seed, progress })
      : trains
        ? await trainAndCheck(head, views, unit, kmeans, { cfg, opts, kmeansStart, table, tableK, labelThreshold, progress })
        : await shipKmeans(head, views, kmeans, { table, tableK, labelThreshold, confidentShare: cfg.initConfidentShare, seed: opts.seed, below: cfg.kmeansInitBelow, progress });
    // The shipping step's prediction passes count as prediction time, as they did before training was split out.
    const trainingSeconds = since(t0) - shipped.predictSeconds;
    t0 = performance.now();
    const { out, training, refilled, partition, guided } = shipped;
    const refined = partition.shipped === 'guided';
    const confK = Math.min(tableK, confidenceNeighbours(n, new Set(out.cluster).size));
    const curve = confidenceCurve(refined);
    // Start agreement only where the curve reads it (the guided curve does not), and from starts on the plain
    // embeddings, which is what the curve was fitted on: starts on the features small folders are sorted by agree more
    // (smoothed, look-alikes stay together), and read by the same curve they showed 1,000 CIFAR-10 photos 54 % sure
    // where 42 % were right (calibration error 0.115; 0.064 from plain starts). Over the bench's 20 folders: 0.089 /
    // 0.155 (mean / worst) with the kinds given, 0.162 / 0.405 chosen automatically; plain starts 0.094 / 0.181 and
    // 0.145 / 0.349.
    const vouching = curve.startPower === undefined ? undefined : sortBy === unit ? starts : (await kmeansPartition(unit, n, d, plan.k, opts.seed)).starts;
    const signals = confidenceSignals(out.cluster, { neighbours: prefixColumns(table, n, tableK, confK), k: confK, ...(vouching ? { starts: otherStarts(vouching, out.cluster) } : {}) });
    // After many corrections the curve alone is too modest about the photos the user left alone (correctedDoubt.ts).
    const calibrated = calibrate(signals.agreement, curve, signals.startAgreement);
    const lifted = refined && guide?.corrections ? liftCorrectedDoubt(calibrated, guide, guide.corrections) : null;
    const confidence = lifted?.confidence ?? calibrated;
    let modelDir: string | null = null;
    if (opts.runDir) {
      modelDir = path.join(opts.runDir, 'model');
      const doubtScale = lifted && lifted.doubtScale < 1 ? { doubtScale: lifted.doubtScale } : {};
      const meta: FinetuneModelMeta = { mode: 'finetune', backbone: spec.id, featureSize: cfg.featureSize, pixelSource: opts.pixelSource, featureKey: key, ...(refined ? { guided: true, ...doubtScale } : {}) };
      await saveModel(modelDir, head, { ...meta });
    }
    return {
      ...plan,
      // What this run used: augmented views may have been left out (augmentWithKmeansStart).
      config: { ...cfg, augmentedViews, backbone: spec.id, featureKey: key },
      featureKey: key,
      features,
      training,
      cluster: out.cluster,
      confidence,
      confidenceSignals: signals,
      probs: out.probs,
      partition,
      embeddingDim: d,
      embeddings: unit,
      refilled,
      seconds: { download, features: featureSeconds, chooseK, training: trainingSeconds, predict: shipped.predictSeconds + since(t0) },
      modelDir,
      guided: guided && lifted ? { ...guided, expectedRight: lifted.expectedRight, doubtScale: lifted.doubtScale } : guided,
    };
  } finally {
    head.dispose();
  }
}

/**
 * The confidence of the photos the user did not place, lifted to what the user's corrections say of them
 * (correctedDoubt.ts); the hand-placed photos show no doubt and are not scored.
 */
function liftCorrectedDoubt(confidence: Float32Array, guide: RunGuide, corrections: CorrectionEvidence): { confidence: Float32Array; doubtScale: number; expectedRight: number | null } {
  const scored = new Array<boolean>(confidence.length).fill(true);
  guide.rows.forEach((row, i) => {
    if (guide.pinned[i]) scored[row] = false;
  });
  const expectedRight = expectedRightShare(corrections);
  return { ...liftDoubt(confidence, scored, expectedRight), expectedRight };
}

/** The groups a run ships, how it got them, and the time spent predicting (part of the phase after training). */
interface ShippedGroups {
  out: HeadPredictions;
  training: TrainResult;
  refilled: number[];
  partition: FinetuneResult['partition'];
  guided: FinetuneResult['guided'];
  predictSeconds: number;
}

interface TrainContext {
  cfg: FinetuneConfig;
  opts: FinetuneOptions;
  kmeansStart: boolean;
  table: Int32Array;
  tableK: number;
  labelThreshold: number;
  progress: NonNullable<FinetuneOptions['progress']>;
}

/** DCCM training of the head (from k-means or at random), then the partition check against k-means. */
async function trainAndCheck(head: FeatureHead, views: FeatureViews, unit: Float32Array, kmeans: Int32Array, c: TrainContext): Promise<ShippedGroups> {
  const { cfg, opts, labelThreshold, progress } = c;
  const n = views.count;
  if (c.kmeansStart) {
    progress('start-training', 0, 1);
    const rows = fitRows(n, opts.seed);
    await fitOutputLayer(head, views, rows, Int32Array.from(rows, (r) => kmeans[r]!), { labelThreshold, confidentShare: cfg.initConfidentShare, recalibrate: true });
  }
  const trainConfig: Partial<TrainConfig> = { ...cfg.train, seed: opts.seed, ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  // With few photos a big batch is the whole set and a mini-batch must still leave at least two steps per pass.
  trainConfig.miniBatch = Math.max(4, Math.min(trainConfig.miniBatch ?? 128, Math.floor(n / 2)));
  const bounds = chunkBounds(n, trainConfig.bigBatch ?? n);
  let stepsPerPass = 0;
  for (let b = 0; b + 1 < bounds.length; b++) stepsPerPass += batchesPerPass(bounds[b + 1]! - bounds[b]!, trainConfig.miniBatch);
  const epochs = trainConfig.epochs ?? 1;
  trainConfig.passes = Math.max(trainConfig.passes ?? 1, Math.ceil(cfg.minSteps / Math.max(1, epochs * stepsPerPass)));
  const training = await train({
    model: head,
    views,
    config: trainConfig,
    ...(opts.runDir ? { checkpointDir: path.join(opts.runDir, 'train'), resume: opts.resume ?? false } : {}),
    signal: opts.signal,
    onEvent: (e) => {
      if (e.type === 'step') progress('train', e.epoch * e.stepsPerEpoch + e.stepInEpoch, e.epochs * e.stepsPerEpoch, `epoch ${e.epoch + 1} of ${e.epochs}`);
      opts.onTrainEvent?.(e);
    },
  });
  if (training.status === 'cancelled') throw new Error('training was cancelled');

  const t0 = performance.now();
  let out = await predictHead(head, views, (done, total) => progress('assign', done, total));
  const refilled = await repairSmallClusters(head, views, unit, out, opts.seed, labelThreshold);
  if (refilled.length) {
    progress('refill-groups', 0, 1, `${refilled.length} group${refilled.length === 1 ? ' was' : 's were'} empty or tiny after training; the widest groups were split to refill them`);
    out = await predictHead(head, views);
  }
  const choice = choosePartition(out.cluster, kmeans, c.table, c.tableK);
  progress('check-groups', 1, 1, choice.reason);
  if (choice.shipped === 'kmeans') out = await shipAs(head, views, kmeans, { seed: opts.seed, labelThreshold, confidentShare: cfg.initConfidentShare, recalibrate: false });
  const partition = { shipped: choice.shipped, head: choice.head, kmeans: choice.kmeans, reason: choice.reason, scores: choice.scores, trained: true };
  return { out, training, refilled, partition, guided: null, predictSeconds: since(t0) };
}

/**
 * A run on a small folder that learns from the user (guidedPartition.ts): the user's groups refined around the
 * photos placed by hand, shipped as they come out, with the head's output layer fitted to them so that photos added
 * later are placed the same way. The head is not trained: with a simulated user (bench --corrections; clothing photos,
 * 2, 5 and 10 corrections per group, three seeds) DCCM training from the guided groups, with the corrections as known
 * labels, ended below them in all nine runs (e.g. 5 per group: 0.645 / 0.704 / 0.652 trained against 0.719 / 0.732 /
 * 0.693 guided), and skipping it makes grouping again after corrections take seconds.
 *
 * `unit` is the embeddings centred on the folder's mean, not averaged with look-alikes as the first grouping's are:
 * averaged, a photo the user moved is pulled back towards the look-alikes it was moved away from. Simulated
 * corrections, 3 seeds, after grouping again at 5 / 10 moved per group: 1,000 CIFAR-10 photos 0.499 / 0.565 centred,
 * 0.487 / 0.532 averaged, 0.497 / 0.542 on the plain embeddings; all 1,341 clothing photos 0.717 / 0.745, 0.716 /
 * 0.749 and 0.706 / 0.739.
 */
async function shipGuided(
  head: FeatureHead,
  views: FeatureViews,
  unit: Float32Array,
  kmeans: Int32Array,
  guide: RunGuide,
  c: { table: Int32Array; tableK: number; labelThreshold: number; confidentShare: number; seed: number; progress: NonNullable<FinetuneOptions['progress']> },
): Promise<ShippedGroups> {
  const n = views.count;
  const d = views.originals.embeddingDim;
  const guided = guidedPartition(unit, n, d, head.k, guide, kmeans);
  const learned = summariseGuide(guide, guided);
  const t0 = performance.now();
  const out = await shipAs(head, views, guided.partition, { ...c, recalibrate: true, onProgress: (done, total) => c.progress('assign', done, total) });
  const scores = { head: neighbourModularity(guided.partition, c.table, c.tableK), kmeans: neighbourModularity(kmeans, c.table, c.tableK) };
  const reason =
    `Your groups were refined around the ${learned.photos} photo${learned.photos === 1 ? '' : 's'} you placed by hand ` +
    `(in ${learned.groups} group${learned.groups === 1 ? '' : 's'}): photos that look like them joined them, and no photo you placed moved.`;
  c.progress('check-groups', 1, 1, reason);
  return {
    out,
    training: untrained(),
    refilled: [],
    partition: { shipped: 'guided', head: guided.partition, kmeans, reason, scores, trained: false },
    guided: { ...learned, outputOfSlot: [...guided.outputOfSlot] },
    predictSeconds: since(t0),
  };
}

/**
 * A run on a small folder that trains nothing (`trainFromKmeansStart` says why): the k-means groups are shipped, and
 * the head's output layer is fitted to them so that the saved model places photos added later the same way.
 */
async function shipKmeans(
  head: FeatureHead,
  views: FeatureViews,
  kmeans: Int32Array,
  c: { table: Int32Array; tableK: number; labelThreshold: number; confidentShare: number; seed: number; below: number; progress: NonNullable<FinetuneOptions['progress']> },
): Promise<ShippedGroups> {
  const t0 = performance.now();
  const out = await shipAs(head, views, kmeans, { ...c, recalibrate: true, onProgress: (done, total) => c.progress('assign', done, total) });
  const modularity = neighbourModularity(kmeans, c.table, c.tableK);
  const why = views.count < c.below ? `in folders of fewer than ${c.below.toLocaleString('en-US')} photos that sorts better than training a network on them` : 'training was switched off for this run';
  const reason = `The photos were grouped by how alike they look (k-means of the pretrained network's features, each photo taken together with its closest look-alikes): ${why}.`;
  c.progress('check-groups', 1, 1, reason);
  return {
    out,
    training: untrained(),
    refilled: [],
    partition: { shipped: 'kmeans', head: kmeans, kmeans, reason, scores: { head: modularity, kmeans: modularity }, trained: false },
    guided: null,
    predictSeconds: since(t0),
  };
}

/**
 * Ships `partition` as the run's groups: the head's output layer is fitted to it (optionally after recalibrating
 * BatchNorm), so that the saved model places photos added later the way these groups were formed, and the head's
 * predictions come back with `partition` as the groups.
 */
async function shipAs(
  head: FeatureHead,
  views: FeatureViews,
  partition: Int32Array,
  o: { seed: number; labelThreshold: number; confidentShare: number; recalibrate: boolean; onProgress?: (done: number, total: number) => void },
): Promise<HeadPredictions> {
  const rows = fitRows(views.count, o.seed);
  await fitOutputLayer(head, views, rows, Int32Array.from(rows, (r) => partition[r]!), o);
  return { ...(await predictHead(head, views, o.onProgress)), cluster: Int32Array.from(partition) };
}

/** The training record of a run that trained nothing. */
function untrained(): TrainResult {
  return { status: 'completed', epochsCompleted: 0, steps: 0, history: [], seconds: 0 };
}

/** Whether the head starts at the k-means partition of the embeddings rather than at random (see `init`). */
export function startsAtKmeans(cfg: Pick<FinetuneConfig, 'init' | 'kmeansInitBelow'>, n: number): boolean {
  return cfg.init === 'kmeans' || (cfg.init === 'auto' && n < cfg.kmeansInitBelow);
}

/** The first `k` columns of an n × width row-major table (the table itself when that is all of it). */
function prefixColumns(table: Int32Array, n: number, width: number, k: number): Int32Array {
  if (k === width) return table;
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) out.set(table.subarray(i * width, i * width + k), i * k);
  return out;
}

/** At most this many photos are loaded at once to place the head's output layer. */
const FIT_SAMPLE = 10_000;

/** All rows, or a seeded sample of `sample` (FIT_SAMPLE) of them. */
function fitRows(n: number, seed: number, sample = FIT_SAMPLE): number[] {
  return n <= sample ? Array.from({ length: n }, (_, i) => i) : new Rng(`head-init:${seed}`).permutation(n).slice(0, sample);
}

/** Puts the head's output layer at `partition` of `rows` (see initFromPartition); optionally recalibrates BatchNorm first. */
async function fitOutputLayer(head: FeatureHead, views: FeatureViews, rows: number[], partition: Int32Array, opts: { labelThreshold: number; confidentShare: number; recalibrate: boolean }): Promise<void> {
  const loaded = await views.load(rows);
  try {
    if (opts.recalibrate) await recalibrateBatchNorm(head, loaded, 256);
    await initFromPartition(head, loaded, partition, opts);
  } finally {
    loaded.dispose();
  }
}

/**
 * k-means (cosine, 10 starts) of every photo's embedding — the head's starting point on small folders and the
 * partition its result is checked against — and the partition every start converged to (how much they disagree feeds
 * the photos' confidence). Fitted on at most FIT_SAMPLE photos; the rest go to the nearest centre.
 */
async function kmeansPartition(
  unit: Float32Array,
  n: number,
  d: number,
  k: number,
  seed: number,
  { sample = FIT_SAMPLE, restarts = KMEANS_STARTS }: { sample?: number; restarts?: number } = {},
): Promise<{ partition: Int32Array; starts: Int32Array[]; startCentroids: Float32Array[] }> {
  const rows = fitRows(n, seed, sample);
  const fitted = await kmeansOnBackend(rows.length === n ? unit : selectRows(unit, d, rows), rows.length, d, { k, seed, restarts, keepStarts: true });
  const startCentroids = fitted.startCentroids!;
  // Fitted on every photo, each start already placed them all; fitted on a sample, the rest go to its nearest centre.
  if (rows.length === n) return { partition: fitted.assignments, starts: fitted.startAssignments!, startCentroids };
  const starts = startCentroids.map((centroids) => nearestCentroid(unit, n, d, centroids, k));
  return { partition: nearestCentroid(unit, n, d, fitted.centroids, k), starts, startCentroids };
}

const KMEANS_STARTS = 10;

/**
 * Below `kmeansInitBelow` photos the k-means groups are what the run ships, so more starts are spent on them: the
 * best of 30 by inertia against the best of 10, 20 folders × 6 seeds, kinds given: ACC 0.630 against 0.626 (best of
 * 100: 0.633). The starts that vouch for the photos' confidence there are ten others, on the plain embeddings.
 */
export const SMALL_FOLDER_STARTS = 30;

/** How many k-means starts a run's grouping keeps the best of. */
export function kmeansStartsFor(cfg: Pick<FinetuneConfig, 'init' | 'kmeansInitBelow'>, n: number): number {
  return startsAtKmeans(cfg, n) ? SMALL_FOLDER_STARTS : KMEANS_STARTS;
}

/**
 * Photos of the library the k-means starts behind new photos' confidence are fitted on: 10 starts on all of 10,000
 * photos took 26 s here, too long to wait for after adding a few photos. Fitted on 2,000 of 10,000 CIFAR-10 photos,
 * start agreement was the same (mean 0.416 against 0.415 fitted on all; calibration error 0.047 against 0.049).
 */
const NEW_PHOTO_START_SAMPLE = 2_000;

/**
 * When training left groups empty or tiny, refills their slots (refillSmallClusters) and moves the head's output
 * layer to the repaired partition, so that the saved model assigns new photos the way the groups were formed.
 * Returns the slots refilled.
 */
async function repairSmallClusters(head: FeatureHead, views: FeatureViews, unit: Float32Array, out: HeadPredictions, seed: number, labelThreshold: number): Promise<number[]> {
  const n = views.count;
  const d = views.originals.embeddingDim;
  const { partition, refilled } = await refillSmallClusters(out.cluster, out.probs, unit, n, d, head.k, { minSize: defaultMinClusterSize(n, head.k), seed });
  if (refilled.length === 0) return refilled;
  let confident = 0;
  for (const p of out.confidence) if (p >= labelThreshold) confident++;
  const rows = fitRows(n, seed);
  await fitOutputLayer(head, views, rows, Int32Array.from(rows, (r) => partition[r]!), { labelThreshold, confidentShare: Math.min(0.95, Math.max(0.05, confident / n)), recalibrate: false });
  return refilled;
}

export interface HeadPredictions {
  cluster: Int32Array;
  confidence: Float32Array;
  probs: Float32Array;
}

async function predictHead(head: FeatureHead, views: FeatureViews, onProgress?: (done: number, total: number) => void): Promise<HeadPredictions> {
  const n = views.count;
  const k = head.k;
  const cluster = new Int32Array(n);
  const confidence = new Float32Array(n);
  const probs = new Float32Array(n * k);
  // Softmax = normalised exp of the deep feature (the logits), which predict() returns as the embedding.
  const preds = await predict(head, views, onProgress ? { onProgress } : {});
  preds.forEach((p, i) => {
    cluster[i] = p.cluster;
    confidence[i] = p.confidence;
    const max = Math.max(...p.embedding);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(p.embedding[c]! - max);
    for (let c = 0; c < k; c++) probs[i * k + c] = Math.exp(p.embedding[c]! - max) / sum;
  });
  return { cluster, confidence, probs };
}

export interface AssignOptions {
  modelDir: string;
  ids: readonly string[];
  images: ImageSource;
  cache: FeatureCache;
  modelsDir: string;
  /**
   * Photos already in groups (content hashes with features cached under the model's key) and the model output each
   * group stands for (-1 for groups the model does not know): a new photo's confidence is how well its look-alikes
   * among them agree with its placement. Without it, the confidence is the model's own probability.
   */
  reference?: { ids: readonly string[]; outputs: readonly number[] };
  signal?: AbortSignal;
  progress?: FinetuneOptions['progress'];
}

/** Calibrated confidence of new photos placed at `outputs`, from their nearest already-grouped photos. */
async function confidenceAgainst(unit: Float32Array, outputs: Int32Array, reference: NonNullable<AssignOptions['reference']>, cache: FeatureCache, key: string, d: number, curve: CalibrationCurve): Promise<Float32Array | null> {
  const rows: number[] = [];
  reference.ids.forEach((id, i) => {
    if (cache.get(key, id, 0)) rows.push(i);
  });
  if (rows.length === 0) return null;
  const ref = l2Normalize(loadFeatureMatrix(cache, key, rows.map((i) => reference.ids[i]!)).embedding, rows.length, d);
  const groups = rows.map((i) => reference.outputs[i]!);
  const groupCount = new Set(groups).size;
  const k = Math.min(confidenceNeighbours(rows.length, groupCount), rows.length);
  const neighbours = await nearestIn(unit, outputs.length, ref, rows.length, d, k);
  if (curve.startPower === undefined) return groupConfidence(outputs, { neighbours, k, neighbourGroups: groups, curve });
  // As in a run: k-means starts on the library's photos, and whether they keep each new photo with its group's photos.
  const library = await kmeansPartition(ref, rows.length, d, groupCount, 0, { sample: NEW_PHOTO_START_SAMPLE });
  const starts = library.startCentroids.map((centroids) => nearestCentroid(unit, outputs.length, d, centroids, groupCount));
  return groupConfidence(outputs, { neighbours, k, neighbourGroups: groups, curve, starts, neighbourStarts: library.starts });
}

/** Reads what a saved fine-tune model was trained on (null for other models). */
export async function readFinetuneMeta(modelDir: string): Promise<FinetuneModelMeta | null> {
  const meta = (await readCheckpoint(modelDir)).meta as Partial<FinetuneModelMeta>;
  return meta.mode === 'finetune' ? (meta as FinetuneModelMeta) : null;
}

/** Places new photos with a saved head: their features (computed or cached), then the head's prediction. */
export async function assignWithHead(opts: AssignOptions): Promise<HeadPredictions & { embeddingDim: number; embeddings: Float32Array; k: number }> {
  const meta = await readFinetuneMeta(opts.modelDir);
  if (!meta) throw new Error(`${opts.modelDir} holds no fine-tune model`);
  const progress = opts.progress ?? (() => {});
  const model = await loadModel(opts.modelDir);
  try {
    if (!(model instanceof FeatureHead)) throw new Error(`${opts.modelDir} holds a ${model.spec.kind}, not a feature head`);
    const dir = await getBackboneDir(meta.backbone, opts.modelsDir, { signal: opts.signal, progress });
    const extractor = await openExtractor(meta.backbone, dir, meta.featureSize);
    try {
      const key = featureKey(extractor.cacheKey, meta.pixelSource);
      if (key !== meta.featureKey) throw new Error(`this model was trained on features ${meta.featureKey}; this version of the app computes ${key} — re-run the grouping`);
      await ensureFeatures({
        ids: opts.ids,
        images: opts.images,
        extractor,
        cache: opts.cache,
        key,
        augmentedViews: 0,
        signal: opts.signal,
        onProgress: (done, total) => progress('features', done, total),
      });
    } finally {
      extractor.dispose();
    }
    const matrix: FeatureMatrix = loadFeatureMatrix(opts.cache, meta.featureKey, opts.ids);
    const views = new FeatureViews(matrix, opts.ids, opts.cache, meta.featureKey);
    const out = await predictHead(model, views, (done, total) => progress('assign', done, total));
    const unit = l2Normalize(matrix.embedding, matrix.n, matrix.embeddingDim);
    const curve = confidenceCurve(meta.guided === true);
    const read = opts.reference ? await confidenceAgainst(unit, out.cluster, opts.reference, opts.cache, meta.featureKey, matrix.embeddingDim, curve) : null;
    const confidence = read && meta.doubtScale !== undefined ? scaleDoubt(read, meta.doubtScale) : read;
    return { ...out, ...(confidence ? { confidence } : {}), k: model.k, embeddingDim: matrix.embeddingDim, embeddings: unit };
  } finally {
    model.dispose();
  }
}
