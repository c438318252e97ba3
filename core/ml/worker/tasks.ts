/**
 * The ML worker's task registry (see core/service/mlWorker.ts): what the service asks the worker process to do.
 * - `cluster`: group photos by content hash, fine-tune mode (backbone features + DCCM head) or from scratch;
 * - `assign`: place new photos with a run's saved model, without training;
 * - `suggestNames`: suggest a name per group from the backbone's ImageNet classifier.
 * Progress is reported in the contract's typed phases (JobPhase), which the front ends put in their own words.
 */
import path from 'node:path';
import type { EpochStats, JobPhase } from '../../api.js';
import type { TaskContext } from '../../service/workerProtocol.js';
import { openDatabase } from '../../store/db.js';
import { FeatureTable } from '../../store/features.js';
import { currentBackend, initBackend, type BackendInfo, type BackendPreference } from '../runtime/backend.js';
import { artefactsFor, CachedInputSource, checkCachedArtefacts, featurePixels, type FeaturePixelsName } from '../data/cachedImages.js';
import type { AssignTaskPayload, AssignTaskResult, ClusterTaskPayload, ClusterTaskResult, MlTasks } from './taskTypes.js';
import type { TrainEvent } from '../training/trainer.js';
import { INPUT_SIZES, type InputSize } from '../scratch/dccmNet.js';
import { trainScratch } from '../scratch/trainScratch.js';
import { loadModel, saveModel } from '../training/checkpoint.js';
import { predict } from '../training/inference.js';
import { assignWithHead, readFinetuneMeta, recommendedFinetuneConfig, runFinetune } from '../finetune/finetune.js';
import { suggestKForPixels } from '../finetune/suggestK.js';
import { suggestNamesTask } from '../names/nameGroups.js';
import { guideRows } from './guideRows.js';

/** Fine-tune features come from the cached thumbnails at the backbone's input size (see FeaturePixelSource). */
const PIXEL_SOURCE: FeaturePixelsName = 'thumb320';

type Progress = (phase: JobPhase, done: number, total: number, message?: string | null) => void;

/** Forwards progress at most 10 times a second per phase, always the first and the last of a phase. */
function throttled(ctx: TaskContext): Progress {
  let lastPhase = '';
  let lastAt = 0;
  return (phase, done, total, message) => {
    const now = Date.now();
    if (phase === lastPhase && done < total && now - lastAt < 100) return;
    lastPhase = phase;
    lastAt = now;
    ctx.progress(phase, done, total, message ?? null);
  };
}

function epochStats(e: Extract<TrainEvent, { type: 'epoch' }>): EpochStats {
  return {
    epoch: e.epoch + 1,
    loss: e.loss.total,
    pg: e.loss.graph,
    pl: e.loss.label,
    pgAug: e.loss.graphAug,
    plAug: e.loss.labelAug,
    mi: e.loss.mi,
    confidentShare: e.confidentShare,
    graphPositives: e.graphPositiveShare,
    imagesPerSecond: e.imagesPerSecond,
  };
}

async function startBackend(choice: string | undefined): Promise<BackendInfo> {
  const preference = (choice ?? 'auto') as BackendPreference;
  const current = currentBackend();
  if (current && (preference === 'auto' || preference === current.name || (preference === 'tensorflow-gpu' && current.kind === 'gpu'))) return current;
  return initBackend(preference);
}

/** Softmax rows of K logits. */
function softmaxRows(logits: Float32Array[], k: number): Float32Array {
  const out = new Float32Array(logits.length * k);
  logits.forEach((row, i) => {
    const max = Math.max(...row);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(row[c]! - max);
    for (let c = 0; c < k; c++) out[i * k + c] = Math.exp(row[c]! - max) / sum;
  });
  return out;
}

async function cluster(payload: ClusterTaskPayload, ctx: TaskContext): Promise<ClusterTaskResult> {
  const progress = throttled(ctx);
  const backend = await startBackend(payload.backend);
  const onTrainEvent = (e: TrainEvent): void => {
    if (e.type === 'epoch') ctx.epoch(e.epochs, epochStats(e));
  };
  const { usable, missing } = checkCachedArtefacts(payload.cacheDir, payload.hashes, artefactsFor(payload.mode === 'finetune' ? PIXEL_SOURCE : 'input'));
  if (usable.length < 2) throw new Error(`only ${usable.length} photo${usable.length === 1 ? ' has' : 's have'} cached pixels to learn from; re-scan the folder`);
  const base = { backend: backend.name, device: backend.device, hashes: usable, skipped: missing };

  if (payload.mode === 'finetune') {
    const db = openDatabase(payload.dbPath);
    try {
      const cache = new FeatureTable(db);
      cache.pruneOrphans();
      const featureSize = { ...recommendedFinetuneConfig(), ...payload.config?.finetune }.featureSize;
      const out = await runFinetune({
        ids: usable,
        images: featurePixels(PIXEL_SOURCE, payload.cacheDir, usable, featureSize),
        pixelSource: PIXEL_SOURCE,
        cache,
        backbone: payload.backbone,
        modelsDir: payload.modelsDir,
        backend,
        k: payload.k,
        seed: payload.seed,
        epochs: payload.epochs ?? undefined,
        config: payload.config?.finetune,
        runDir: payload.runDir,
        resume: payload.resume,
        signal: ctx.signal,
        progress,
        onTrainEvent,
        guide: guideRows(usable, payload.guide),
      });
      return {
        ...base,
        k: out.k,
        kSuggested: out.kSuggested,
        kReasoning: out.kReasoning,
        config: { mode: 'finetune', ...out.config, seconds: out.seconds, partition: { shipped: out.partition.shipped, trained: out.partition.trained, reason: out.partition.reason, scores: out.partition.scores }, guided: out.guided },
        modelDir: out.modelDir!,
        cluster: out.cluster,
        confidence: out.confidence,
        embeddingDim: out.embeddingDim,
        embeddings: out.embeddings,
        probs: out.probs,
      };
    } finally {
      db.close();
    }
  }

  // From scratch: payload.guide is not used (the service does not send one); learning from placements is fine-tune's.
  const images = new CachedInputSource(payload.cacheDir, usable);
  const inputSize: InputSize = payload.config?.inputSize ?? 32;
  if (!INPUT_SIZES.includes(inputSize)) throw new Error(`input size must be one of ${INPUT_SIZES.join(', ')}`);
  let k: number;
  let kSuggested: number | null = null;
  let kReasoning: string | null = null;
  if (payload.k === 'auto') {
    progress('choose-k', 0, 1);
    const s = await suggestKForPixels(images, payload.seed);
    k = kSuggested = s.k;
    kReasoning = s.reasoning;
  } else k = payload.k;
  const { model, config, predictions } = await trainScratch({
    source: images,
    k,
    inputSize,
    backend,
    seed: payload.seed,
    epochs: payload.epochs ?? undefined,
    checkpointDir: path.join(payload.runDir, 'train'),
    resume: payload.resume,
    signal: ctx.signal,
    onEvent: (e) => {
      if (e.type === 'step') progress('train', e.epoch * e.stepsPerEpoch + e.stepInEpoch, e.epochs * e.stepsPerEpoch, `epoch ${e.epoch + 1} of ${e.epochs}`);
      onTrainEvent(e);
    },
    onPredictProgress: (done, total) => progress('assign', done, total),
  });
  try {
    const modelDir = path.join(payload.runDir, 'model');
    await saveModel(modelDir, model, { mode: 'scratch' });
    return {
      ...base,
      k,
      kSuggested,
      kReasoning,
      config: { mode: 'scratch', inputSize, ...config },
      modelDir,
      ...packPredictions(predictions, k),
    };
  } finally {
    model.dispose();
  }
}

function packPredictions(predictions: Array<{ cluster: number; confidence: number; embedding: Float32Array }>, k: number) {
  const dim = predictions[0]?.embedding.length ?? 0;
  const embeddings = new Float32Array(predictions.length * dim);
  predictions.forEach((p, i) => embeddings.set(p.embedding, i * dim));
  return {
    cluster: Int32Array.from(predictions, (p) => p.cluster),
    confidence: Float32Array.from(predictions, (p) => p.confidence),
    embeddingDim: dim,
    embeddings,
    probs: softmaxRows(
      predictions.map((p) => p.embedding),
      k,
    ),
  };
}

async function assign(payload: AssignTaskPayload, ctx: TaskContext): Promise<AssignTaskResult> {
  const progress = throttled(ctx);
  const backend = await startBackend(payload.backend);
  const meta = await readFinetuneMeta(payload.modelDir);
  const { usable, missing } = checkCachedArtefacts(payload.cacheDir, payload.hashes, artefactsFor(meta ? (meta.pixelSource as FeaturePixelsName) : 'input'));
  const base = { backend: backend.name, device: backend.device, hashes: usable, skipped: missing };
  if (meta) {
    const db = openDatabase(payload.dbPath);
    try {
      const images = featurePixels(meta.pixelSource, payload.cacheDir, usable, meta.featureSize);
      const out = await assignWithHead({
        modelDir: payload.modelDir,
        ids: usable,
        images,
        cache: new FeatureTable(db),
        modelsDir: payload.modelsDir,
        ...(payload.reference ? { reference: { ids: payload.reference.hashes, outputs: payload.reference.outputs } } : {}),
        signal: ctx.signal,
        progress,
      });
      return { ...base, ...out };
    } finally {
      db.close();
    }
  }
  const images = new CachedInputSource(payload.cacheDir, usable);
  const model = await loadModel(payload.modelDir);
  try {
    const predictions = await predict(model, images, { onProgress: (done, total) => progress('assign', done, total) });
    return { ...base, k: model.k, ...packPredictions(predictions, model.k) };
  } finally {
    model.dispose();
  }
}

export const tasks: { [T in keyof MlTasks]: (payload: MlTasks[T]['payload'], ctx: TaskContext) => Promise<MlTasks[T]['result']> } = {
  cluster,
  assign,
  suggestNames: async (payload, ctx) => suggestNamesTask(payload, ctx, (await startBackend(payload.backend)).name),
};
