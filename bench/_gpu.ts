// What bench/gpu.sh (and bench/gpu-remote.sh on a bare GPU machine) runs: one JSON line per measurement on stdout,
// written the moment it is measured (and appended to --out FILE when given), progress on stderr.
//  - the adapter Dawn finds;
//  - img/s of one DCCM training step (mini-batch 64, original + one augmented view) at 32 and 96 px on wasm (the
//    baseline), webgpu and tensorflow-gpu (where it loads);
//  - a from-scratch DCCM run on the 10,000 CIFAR-10 test images on the fastest GPU backend, then k-means on their raw
//    pixels as the baseline (labels used for scoring only). --budget-seconds covers the whole run: decoding, training,
//    prediction and the baseline; it may end later by at most one training step plus the error of the prediction
//    estimate (the `cifar10-total` line says by how much).
// Usage: tsx bench/_gpu.ts [--budget-seconds 300] [--steps 3] [--sizes 32,96] [--backends wasm,webgpu,tensorflow-gpu]
//          [--images 10000] [--quality-backend webgpu] [--config '{"passes":2}'] [--skip-throughput] [--skip-quality]
//          [--baseline-restarts 10] [--out FILE] [--seed 0]
//        tsx bench/_gpu.ts --probe [--allow-software]   (exit 0 when Dawn finds a hardware adapter, else 3)
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { throughput, loadCifar } from './dccm.js';
import { initBackend, type BackendInfo, type BackendPreference } from '../core/ml/runtime/backend.js';
import { loadWebGpu } from '../core/ml/runtime/webgpuAdapter.js';
import { createDccmNet } from '../core/ml/scratch/dccmNet.js';
import { ImageViews } from '../core/ml/data/augmentedViews.js';
import { train, type TrainConfig } from '../core/ml/training/trainer.js';
import { recommendedTrainConfig } from '../core/ml/trainFolder.js';
import { predict, predictProbabilities } from '../core/ml/training/inference.js';
import { kmeansOnBackend } from '../core/ml/kmeans/kmeansBackend.js';
import { scoreClustering } from '../core/metrics/clustering.js';

const { values } = parseArgs({
  options: {
    'budget-seconds': { type: 'string', default: '300' },
    steps: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '32,96' },
    backends: { type: 'string', default: 'wasm,webgpu,tensorflow-gpu' },
    images: { type: 'string', default: '10000' },
    'quality-backend': { type: 'string' },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false },
    'baseline-restarts': { type: 'string', default: '10' },
    config: { type: 'string', default: '{}' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
    probe: { type: 'boolean', default: false },
    'allow-software': { type: 'boolean', default: false },
  },
});

const started = performance.now();
const since = (t: number): number => (performance.now() - t) / 1000;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
/** One measurement: to stdout at once (synchronous for files and pipes on Linux) and to --out, so a kill loses nothing. */
const line = (o: Record<string, unknown>): void => {
  const text = JSON.stringify(o) + '\n';
  process.stdout.write(text);
  if (values.out) fs.appendFileSync(values.out, text);
};
const progress = (msg: string): void => void process.stderr.write(`[${since(started).toFixed(0)} s] ${msg}\n`);
const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

if (values.probe) {
  // For gpu-remote.sh's driver probe: the same adapter logic as the app's (a software adapter does not count).
  try {
    const a = await loadWebGpu();
    line({ measurement: 'adapter', ...a });
    process.exit(a.software && !values['allow-software'] ? 3 : 0);
  } catch (err) {
    line({ measurement: 'adapter', error: firstLine(err) });
    process.exit(3);
  }
}

try {
  line({ measurement: 'adapter', ...(await loadWebGpu()) });
} catch (err) {
  line({ measurement: 'adapter', error: firstLine(err) });
}

const steps = Number(values.steps);
const rates: Record<string, number> = {};
if (!values['skip-throughput']) {
  const sizes = values.sizes.split(',').map(Number) as Array<32 | 96>;
  const backends = values.backends.split(',') as Exclude<BackendPreference, 'auto'>[];
  for (const size of sizes) {
    for (const backend of backends) {
      progress(`throughput: ${backend} at ${size} px, 1 warm-up + ${steps} timed steps`);
      const t = performance.now();
      try {
        const r = await throughput(backend, steps, 1, 0, size);
        rates[`${backend}@${size}`] = r.imagesPerSecond as number;
        const wasm = rates[`wasm@${size}`];
        line({
          measurement: 'dccm-step',
          what: `img/s of one DCCM training step (64 images + 1 augmented view, forward and backward, random pixels), mean of ${steps} timed steps after 1 warm-up`,
          inputSize: size,
          backend,
          device: r.device,
          imagesPerSecond: r.imagesPerSecond,
          secondsPerStep: r.secondsPerStep,
          overWasm: wasm ? (r.imagesPerSecond as number) / wasm : null,
          wallSeconds: since(t),
        });
      } catch (err) {
        line({ measurement: 'dccm-step', inputSize: size, backend, error: firstLine(err), wallSeconds: since(t) });
      }
    }
  }
}

if (!values['skip-quality']) {
  // Whichever GPU backend was fastest at 32 px (webgpu where tensorflow-gpu cannot load); webgpu when not measured.
  const measured = (['tensorflow-gpu', 'webgpu'] as const).filter((b) => rates[`${b}@32`] !== undefined).sort((a, b) => rates[`${b}@32`]! - rates[`${a}@32`]!)[0];
  const preference = (values['quality-backend'] ?? measured ?? (values['skip-throughput'] ? 'webgpu' : 'wasm')) as Exclude<BackendPreference, 'auto'>;
  try {
    const overrides = JSON.parse(values.config) as Partial<TrainConfig>;
    await cifarRun(preference, Number(values['budget-seconds']), Number(values.images), Number(values.seed), overrides);
  } catch (err) {
    progress(`cifar10: failed: ${(err as Error).stack ?? String(err)}`);
    line({ measurement: 'cifar10-scratch', error: firstLine(err) });
  }
}
progress('done');
process.exit(0);

/**
 * DCCM from scratch on CIFAR-10 test images, then k-means on their raw pixels, all within `budget` seconds:
 * decoding and model set-up are spent first; training gets what is left minus a reserve for the final BatchNorm
 * calibration and the prediction of every image (estimated from a timed inference pass before training) and minus
 * the baseline's share; the baseline runs k-means++ starts until its share is spent (at least one, at most
 * --baseline-restarts). The DCCM line is written before the baseline starts.
 */
async function cifarRun(preference: Exclude<BackendPreference, 'auto'>, budget: number, images: number, seed: number, overrides: Partial<TrainConfig>): Promise<void> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const perClass = Math.max(1, Math.floor(images / 10));
  progress(`cifar10: decoding ${perClass * 10} images (${perClass} per class), budget ${budget} s for the whole run`);
  let t = performance.now();
  const data = await loadCifar(perClass, { concurrency: Math.max(4, os.cpus().length) });
  phases.decode = since(t);
  const n = data.source.count;
  progress(`cifar10: decoded ${n} images in ${phases.decode.toFixed(1)} s (${data.errors} errors)`);

  t = performance.now();
  const backend: BackendInfo = await initBackend(preference);
  // The backend's recommended schedule (the paper's on a GPU), overrides from --config on top.
  const config: TrainConfig = { ...recommendedTrainConfig(backend.kind), epochs: 1000, seed, ...overrides };
  const model = createDccmNet({ inputSize: 32, k: 10, seed });
  const views = new ImageViews(data.source, 32);
  // Inference rate (load + resize + forward, inference mode) on one batch, after a warm-up: sizes the reserve.
  const probeRows = Array.from({ length: Math.min(config.inferenceBatch, n) }, (_, i) => i);
  let inferRate = 0;
  for (let pass = 0; pass < 2; pass++) {
    const tp = performance.now();
    const loaded = await views.load(probeRows);
    await predictProbabilities(model, loaded, config.inferenceBatch);
    loaded.dispose();
    inferRate = probeRows.length / since(tp);
  }
  phases.setup = since(t);
  // After the budget check the trainer may still start one big batch's targets (two forward passes), then it
  // recalibrates BatchNorm on finalCalibrationImages; prediction then covers every image. 1.5× for safety.
  const reserveImages = n + Math.min(n, config.finalCalibrationImages) + 2 * Math.min(n, config.bigBatch);
  const predictReserve = (1.5 * reserveImages) / inferRate + 2;
  const baselineShare = Math.min(60, Math.max(5, 0.1 * budget));
  const trainBudget = budget - since(t0) - predictReserve - baselineShare;
  const maxSeconds = Math.max(1, trainBudget);
  progress(
    `cifar10: ${backend.device}; inference ${inferRate.toFixed(0)} img/s; training gets ${maxSeconds.toFixed(0)} s ` +
      `(reserve ${predictReserve.toFixed(0)} s for calibration + prediction, ${baselineShare.toFixed(0)} s for the baseline)` +
      (trainBudget < 1 ? ' — the budget is too small for this many images' : ''),
  );

  t = performance.now();
  let lastReport = performance.now();
  let stepsPerEpoch = 0;
  const result = await train({
    model,
    views,
    config,
    workers: 0,
    maxSeconds,
    onEvent: (e) => {
      if (e.type === 'step') {
        stepsPerEpoch = e.stepsPerEpoch;
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          progress(`train: step ${e.step} (epoch ${e.epoch + 1}, ${e.stepInEpoch}/${e.stepsPerEpoch}), loss ${e.loss.total.toFixed(3)}, ${e.imagesPerSecond.toFixed(0)} img/s, ${since(t).toFixed(0)} s`);
        }
      }
      if (e.type === 'epoch') {
        progress(`train: epoch ${e.epoch + 1} done: loss ${e.loss.total.toFixed(3)}, confident ${(100 * e.confidentShare).toFixed(1)} %, ${e.imagesPerSecond.toFixed(1)} img/s, ${since(t).toFixed(0)} s`);
      }
    },
  });
  phases.train = since(t);
  progress(`train: stopped by ${result.stoppedBy} after ${result.steps} steps, ${result.epochsCompleted} full epochs, ${phases.train.toFixed(1)} s (incl. final BatchNorm calibration)`);

  t = performance.now();
  let lastPredict = performance.now();
  const predictions = await predict(model, views, {
    onProgress: (done, total) => {
      if (performance.now() - lastPredict > 10_000 || done === total) {
        lastPredict = performance.now();
        progress(`predict: ${done}/${total}`);
      }
    },
  });
  phases.predict = since(t);
  model.dispose();
  const clusters = predictions.map((p) => p.cluster);
  const dccm = scoreClustering(data.labels, clusters);
  const epochFraction = stepsPerEpoch ? result.steps / stepsPerEpoch : 0;
  line({
    measurement: 'cifar10-scratch',
    what: 'DCCM trained from scratch on these images within the time left (labels only for scoring); ACC/NMI/ARI of its clusters on the same images',
    images: n,
    backend: backend.name,
    device: backend.device,
    budgetSeconds: budget,
    trainMaxSeconds: round(maxSeconds),
    steps: result.steps,
    stepsPerEpoch,
    epochs: round(epochFraction, 3),
    epochsCompleted: result.epochsCompleted,
    stoppedBy: result.stoppedBy,
    config: { miniBatch: config.miniBatch, augmentedViews: config.augmentedViews, bigBatch: config.bigBatch, passes: config.passes, learningRate: config.learningRate },
    configOverrides: overrides,
    acc: dccm.acc,
    nmi: dccm.nmi,
    ari: dccm.ari,
    clusterSizes: Array.from({ length: 10 }, (_, c) => clusters.filter((x) => x === c).length),
    seconds: { decode: round(phases.decode), setup: round(phases.setup), train: round(phases.train), predict: round(phases.predict), sinceStart: round(since(t0)) },
  });

  // Baseline: k-means on the raw pixels of the same 32 px images in [0, 1], on the same backend (one matrix product
  // per assignment step), k-means++ starts with seeds seed, seed+1, … while the time left allows; best inertia wins.
  t = performance.now();
  const left = budget - since(t0);
  progress(`baseline: k-means on raw pixels, ${left.toFixed(0)} s left in the budget`);
  const loaded = await views.load(Array.from({ length: n }, (_, i) => i));
  const rows = (await loaded.data()) as Float32Array;
  loaded.dispose();
  const maxRestarts = Number(values['baseline-restarts']);
  let best: Awaited<ReturnType<typeof kmeansOnBackend>> | null = null;
  let restarts = 0;
  let slowest = 0;
  while (restarts < maxRestarts && (restarts === 0 || since(t) + slowest <= left)) {
    const tr = performance.now();
    const km = await kmeansOnBackend(rows, n, 32 * 32 * 3, { k: 10, seed: seed + restarts, restarts: 1 });
    slowest = Math.max(slowest, since(tr));
    if (!best || km.inertia < best.inertia) best = km;
    restarts++;
    progress(`baseline: start ${restarts}: ${km.iterations} iterations, ${since(tr).toFixed(1)} s`);
  }
  phases.baseline = since(t);
  const km = scoreClustering(data.labels, best!.assignments);
  line({
    measurement: 'cifar10-kmeans-pixels',
    what: `k-means (k=10) on the raw 32×32×3 pixels of the same images, best inertia of ${restarts} k-means++ start(s)${restarts < maxRestarts ? ` (stopped short of ${maxRestarts} by the budget)` : ''}`,
    images: n,
    restarts,
    acc: km.acc,
    nmi: km.nmi,
    ari: km.ari,
    seconds: round(phases.baseline),
  });
  const total = since(t0);
  line({
    measurement: 'cifar10-total',
    what: 'wall-clock seconds of the whole CIFAR-10 run (decode + set-up + training + prediction + baseline) against its budget',
    budgetSeconds: budget,
    totalSeconds: round(total),
    overBudgetSeconds: round(Math.max(0, total - budget)),
    seconds: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v)])),
    accGainOverKmeans: dccm.acc - km.acc,
  });
}
