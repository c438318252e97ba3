import type { BackendInfo } from './backend.js';
import { loadLabelledFolder, type BadImage } from './dataset.js';
import type { InputSize } from './dccmNet.js';
import type { TrainEvent } from './trainer.js';
import { trainScratch } from './scratch.js';
import { scoreClustering, type ClusteringScores } from '../metrics/clustering.js';

export { recommendedTrainConfig, defaultWorkers } from './scratch.js';

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
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const folder = await loadLabelledFolder(opts.dir);
  for (const e of folder.errors) log(`skipping ${e.path}: ${e.reason}`);
  const n = folder.source.count;
  if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'} under ${opts.dir}; training needs at least 2`);
  if (opts.k !== 'auto' && opts.k > n) throw new Error(`--k ${opts.k} exceeds the number of images (${n})`);
  log(`${n} images decoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const onEvent = epochLogger(log);

  let out: { k: number; kSuggested: number | null; kReasoning: string | null; epochs: number; clusters: ArrayLike<number>; confidences: ArrayLike<number> };
  if (opts.mode === 'finetune') {
    const { runFinetune } = await import('./finetune/finetune.js');
    const { MemoryFeatureCache } = await import('./finetune/features.js');
    const { defaultBackboneId } = await import('./backbones/registry.js');
    if (!opts.modelsDir) throw new Error('fine-tune mode needs a models directory');
    const r = await runFinetune({
      ids: folder.items.map((it) => it.path),
      images: folder.source,
      pixelSource: 'input96',
      cache: new MemoryFeatureCache(),
      backbone: opts.backbone ?? defaultBackboneId(),
      modelsDir: opts.modelsDir,
      backend: opts.backend,
      k: opts.k,
      seed: opts.seed,
      ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      ...(opts.checkpointDir ? { runDir: opts.checkpointDir, resume: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      progress: (phase, done, total) => {
        if (phase !== 'training' && done === total) log(`${phase}: ${done}/${total}`);
      },
      onTrainEvent: onEvent,
    });
    if (r.kReasoning) log(r.kReasoning);
    out = { k: r.k, kSuggested: r.kSuggested, kReasoning: r.kReasoning, epochs: r.training.epochsCompleted, clusters: r.cluster, confidences: r.confidence };
  } else {
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
      ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      ...(opts.checkpointDir ? { checkpointDir: opts.checkpointDir } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onEvent,
    });
    model.dispose();
    out = { k, kSuggested, kReasoning, epochs: training.epochsCompleted, clusters: predictions.map((p) => p.cluster), confidences: predictions.map((p) => p.confidence) };
  }
  const assignments = folder.items.map((it, i) => ({ path: it.path, cluster: out.clusters[i]!, confidence: out.confidences[i]! }));
  const metrics = folder.classes
    ? scoreClustering(
        folder.items.map((it) => it.label!),
        out.clusters,
      )
    : undefined;
  return {
    k: out.k,
    kSuggested: out.kSuggested,
    kReasoning: out.kReasoning,
    epochs: out.epochs,
    seconds: (performance.now() - t0) / 1000,
    ...(metrics ? { metrics } : {}),
    assignments,
    errors: folder.errors,
  };
}
