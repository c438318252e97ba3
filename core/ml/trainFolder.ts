import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendInfo } from './runtime/backend.js';
import { featurePixels } from './data/cachedImages.js';
import { classLabels, scanFolderForTraining } from './data/scannedFolder.js';
import { loadLabelledFolder, type BadImage } from './data/dataset.js';
import type { InputSize } from './scratch/dccmNet.js';
import type { TrainEvent } from './training/trainer.js';
import { trainScratch } from './scratch/trainScratch.js';
import { scoreClustering, type ClusteringScores } from '../metrics/clustering.js';

export { recommendedTrainConfig, defaultWorkers } from './scratch/trainScratch.js';

export interface FolderTrainingOptions {
  dir: string;
  /** 'auto' suggests K (fine-tune mode: on backbone features; scratch mode: on colours and layout). */
  k: number | 'auto';
  /** Default scratch: the paper's network trained from scratch. */
  mode?: 'scratch' | 'finetune';
  /** Scratch mode: network input side. */
  inputSize: InputSize;
  /** Fine-tune mode: the backbone (default: the registry's default). */
  backbone?: string;
  /** Fine-tune mode: where backbones are installed (downloaded on first use). */
  modelsDir?: string;
  epochs?: number;
  seed: number;
  backend: BackendInfo;
  checkpointDir?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface FolderTrainingResult {
  k: number;
  /** The automatic suggestion when K was 'auto', else null. */
  kSuggested: number | null;
  kReasoning: string | null;
  epochs: number;
  seconds: number;
  /** Only when the folder is class-per-folder; computed after training, never used by it. */
  metrics?: ClusteringScores;
  assignments: Array<{ path: string; cluster: number; confidence: number }>;
  errors: BadImage[];
}

function epochLogger(log: (line: string) => void): (e: TrainEvent) => void {
  return (e) => {
    if (e.type !== 'epoch') return;
    log(
      `epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.total.toFixed(3)} (graph ${e.loss.graphAug.toFixed(3)}, label ${e.loss.labelAug.toFixed(3)}, mi ${e.loss.mi.toFixed(3)}), ` +
        `confident ${(100 * e.confidentShare).toFixed(1)} %, ${e.imagesPerSecond.toFixed(1)} img/s, ETA ${Math.round(e.etaSeconds)} s`,
    );
  };
}

/** Decode a folder, group it (DCCM from scratch, or fine-tune mode on a pretrained backbone), assign every image. */
export async function runTraining(opts: FolderTrainingOptions): Promise<FolderTrainingResult> {
  return opts.mode === 'finetune' ? runFinetuneOnFolder(opts) : runScratchOnFolder(opts);
}

/**
 * Fine-tune mode on a folder exactly as the app runs it: the library scan into a temporary work folder (thumbnails
 * and model inputs), features from the thumbnails, then runFinetune. Copies of one photo are grouped once and every
 * copy gets that group.
 */
async function runFinetuneOnFolder(opts: FolderTrainingOptions): Promise<FolderTrainingResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  if (!opts.modelsDir) throw new Error('fine-tune mode needs a models directory');
  const { runFinetune, recommendedFinetuneConfig } = await import('./finetune/finetune.js');
  const { defaultBackboneId } = await import('./backbones/registry.js');
  const { FeatureTable } = await import('../store/features.js');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'photocluster-train-'));
  try {
    const folder = await scanFolderForTraining(opts.dir, work, opts.signal ? { signal: opts.signal } : {});
    try {
      for (const e of folder.errors) log(`skipping ${e.path}: ${e.reason}`);
      const n = folder.hashes.length;
      if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'} under ${opts.dir}; training needs at least 2`);
      if (opts.k !== 'auto' && opts.k > n) throw new Error(`--k ${opts.k} exceeds the number of images (${n})`);
      log(`${n} images scanned in ${folder.seconds.toFixed(1)} s${folder.duplicates ? ` (${folder.duplicates} copies of other images grouped with them)` : ''}`);
      const r = await runFinetune({
        ids: folder.hashes,
        images: featurePixels('thumb320', folder.cacheDir, folder.hashes, recommendedFinetuneConfig().featureSize),
        pixelSource: 'thumb320',
        cache: new FeatureTable(folder.db),
        backbone: opts.backbone ?? defaultBackboneId(),
        modelsDir: opts.modelsDir,
        backend: opts.backend,
        k: opts.k,
        seed: opts.seed,
        epochs: opts.epochs,
        ...(opts.checkpointDir ? { runDir: opts.checkpointDir, resume: true } : {}),
        signal: opts.signal,
        progress: (phase, done, total) => {
          if (phase !== 'train' && done === total) log(`${phase}: ${done}/${total}`);
        },
        onTrainEvent: epochLogger(log),
      });
      if (r.kReasoning) log(r.kReasoning);
      log(r.partition.reason);
      const byHash = new Map(folder.hashes.map((h, i) => [h, i]));
      const photos = folder.photos.filter((p) => byHash.has(p.hash));
      const assignments = photos.map((p) => ({ path: p.path, cluster: r.cluster[byHash.get(p.hash)!]!, confidence: r.confidence[byHash.get(p.hash)!]! }));
      const labels = classLabels(assignments.map((a) => a.path))?.labels;
      return {
        k: r.k,
        kSuggested: r.kSuggested,
        kReasoning: r.kReasoning,
        epochs: r.training.epochsCompleted,
        seconds: (performance.now() - t0) / 1000,
        ...(labels ? { metrics: scoreClustering(labels, assignments.map((a) => a.cluster)) } : {}),
        assignments,
        errors: folder.errors,
      };
    } finally {
      folder.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The paper's network from scratch on the folder's images, decoded once into memory at the cache format. */
async function runScratchOnFolder(opts: FolderTrainingOptions): Promise<FolderTrainingResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const folder = await loadLabelledFolder(opts.dir);
  for (const e of folder.errors) log(`skipping ${e.path}: ${e.reason}`);
  const n = folder.source.count;
  if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'} under ${opts.dir}; training needs at least 2`);
  if (opts.k !== 'auto' && opts.k > n) throw new Error(`--k ${opts.k} exceeds the number of images (${n})`);
  log(`${n} images decoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let k: number;
  let kSuggested: number | null = null;
  let kReasoning: string | null = null;
  if (opts.k === 'auto') {
    const { suggestKForPixels } = await import('./finetune/suggestK.js');
    const s = await suggestKForPixels(folder.source, opts.seed);
    k = kSuggested = s.k;
    kReasoning = s.reasoning;
    log(s.reasoning);
  } else k = opts.k;
  const { model, training, predictions } = await trainScratch({
    source: folder.source,
    k,
    inputSize: opts.inputSize,
    backend: opts.backend,
    seed: opts.seed,
    epochs: opts.epochs,
    checkpointDir: opts.checkpointDir,
    signal: opts.signal,
    onEvent: epochLogger(log),
  });
  model.dispose();
  const assignments = folder.items.map((it, i) => ({ path: it.path, cluster: predictions[i]!.cluster, confidence: predictions[i]!.confidence }));
  const metrics = folder.classes
    ? scoreClustering(
        folder.items.map((it) => it.label!),
        assignments.map((a) => a.cluster),
      )
    : undefined;
  return {
    k,
    kSuggested,
    kReasoning,
    epochs: training.epochsCompleted,
    seconds: (performance.now() - t0) / 1000,
    ...(metrics ? { metrics } : {}),
    assignments,
    errors: folder.errors,
  };
}
