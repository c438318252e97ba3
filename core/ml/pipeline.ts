import os from 'node:os';
import type { BackendInfo, BackendKind } from './backend.js';
import { loadLabelledFolder, type BadImage } from './dataset.js';
import { createDccmNet, type InputSize } from './dccmNet.js';
import { ImageViews } from './views.js';
import { PAPER_TRAIN_CONFIG, train, type TrainConfig, type TrainEvent } from './trainer.js';
import { predict } from './inference.js';
import { scoreClustering, type ClusteringScores } from '../metrics/clustering.js';

/**
 * Schedule per backend. GPUs and native TensorFlow run the paper's schedule. On the CPU backends a step costs
 * ~20–60× more, so the same method runs with fewer passes per big batch, one augmented view per step, a narrower
 * MI discriminator and a higher learning rate (the reference code's CIFAR-100 value); measured in bench/dccm.ts.
 */
export function recommendedTrainConfig(kind: BackendKind): TrainConfig {
  if (kind === 'gpu' || kind === 'native') return { ...PAPER_TRAIN_CONFIG };
  return {
    ...PAPER_TRAIN_CONFIG,
    epochs: 30,
    // Two reference-size mini-batches per step, computed on two cores when there are two (see parallel.ts).
    miniBatch: 64,
    shards: 2,
    passes: 2,
    augmentedViews: 1,
    learningRate: 1e-3,
    miHidden: 64,
  };
}

/** Gradient worker threads worth starting: the CPU backends compute on one core each; native TF threads itself. */
export function defaultWorkers(kind: BackendKind): number {
  return kind === 'wasm' || kind === 'cpu' ? Math.max(0, os.cpus().length - 1) : 0;
}

export interface FolderTrainingOptions {
  dir: string;
  k: number;
  inputSize: InputSize;
  epochs?: number;
  seed: number;
  backend: BackendInfo;
  checkpointDir?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface FolderTrainingResult {
  epochs: number;
  seconds: number;
  /** Only when the folder is class-per-folder; computed after training, never used by it. */
  metrics?: ClusteringScores;
  assignments: Array<{ path: string; cluster: number; confidence: number }>;
  errors: BadImage[];
}

/** Decode a folder, train DCCM from scratch on it, and assign every image to a cluster. */
export async function runTraining(opts: FolderTrainingOptions): Promise<FolderTrainingResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const folder = await loadLabelledFolder(opts.dir);
  for (const e of folder.errors) log(`skipping ${e.path}: ${e.reason}`);
  const n = folder.source.count;
  if (n < 2) throw new Error(`found ${n} usable image${n === 1 ? '' : 's'} under ${opts.dir}; training needs at least 2`);
  if (opts.k > n) throw new Error(`--k ${opts.k} exceeds the number of images (${n})`);
  log(`${n} images decoded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const config = { ...recommendedTrainConfig(opts.backend.kind), seed: opts.seed, ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  const model = createDccmNet({ inputSize: opts.inputSize, k: opts.k, seed: opts.seed });
  try {
    const views = new ImageViews(folder.source, opts.inputSize);
    const onEvent = (e: TrainEvent): void => {
      if (e.type === 'epoch') {
        log(
          `epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.total.toFixed(3)} (graph ${e.loss.graphAug.toFixed(3)}, label ${e.loss.labelAug.toFixed(3)}, mi ${e.loss.mi.toFixed(3)}), ` +
            `confident ${(100 * e.confidentShare).toFixed(1)} %, ${e.imagesPerSecond.toFixed(1)} img/s, ETA ${Math.round(e.etaSeconds)} s`,
        );
      }
    };
    const result = await train({
      model,
      views,
      config,
      workers: defaultWorkers(opts.backend.kind),
      ...(opts.checkpointDir ? { checkpointDir: opts.checkpointDir, resume: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onEvent,
    });
    if (result.status === 'cancelled') throw new Error('training was cancelled');
    const predictions = await predict(model, views);
    const assignments = predictions.map((p, i) => ({ path: folder.items[i]!.path, cluster: p.cluster, confidence: p.confidence }));
    const metrics = folder.classes
      ? scoreClustering(
          folder.items.map((it) => it.label!),
          predictions.map((p) => p.cluster),
        )
      : undefined;
    return { epochs: result.epochsCompleted, seconds: (performance.now() - t0) / 1000, ...(metrics ? { metrics } : {}), assignments, errors: folder.errors };
  } finally {
    model.dispose();
  }
}
