// `npm run bench -- dccm [--budget-minutes 15] [--per-class 200] [--skip-throughput] [--skip-quality] [--seed S]
//                        [--config '{"learningRate":1e-3,...}']` (overrides merged into the CPU schedule)
//                        [--backend webgpu|tensorflow-gpu|…] [--size 32|64|96] [--budget-seconds S]
//
// --backend B adds B's step throughput next to wasm's (the baseline) as `imagesPerSecondByBackend`, and trains the
// quality run on B. --budget-seconds overrides --budget-minutes (bench/gpu.sh's short runs).
//
// (a) Training throughput of one DCCM step at 32 px, mini-batch 64 (the original rows plus one augmented view,
//     i.e. 128 images forward and backward), on the cpu and wasm backends in the same run.
// (b) Quality: DCCM from scratch on 2,000 CIFAR-10 test images (200 per class) within a fixed wall-clock budget,
//     next to k-means on the raw pixels of the same 32 px images measured in the same run, and the paper's row.
//     Labels are used for scoring only.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharedDir } from '../core/paths.js';
import { tf } from '../core/ml/runtime/tf.js';
import { initBackend, parseBackendPreference, type BackendInfo, type BackendPreference } from '../core/ml/runtime/backend.js';
import { decodeImages, MemoryImageSource } from '../core/ml/data/dataset.js';
import { createDccmNet } from '../core/ml/scratch/dccmNet.js';
import { ImageViews, resizeImages } from '../core/ml/data/augmentedViews.js';
import { train, type TrainConfig, type TrainEvent } from '../core/ml/training/trainer.js';
import { defaultWorkers, recommendedTrainConfig } from '../core/ml/trainFolder.js';
import { predict } from '../core/ml/training/inference.js';
import { kmeans } from '../core/ml/kmeans/kmeans.js';
import { scoreClustering, type ClusteringScores } from '../core/metrics/clustering.js';
import { Rng } from '../core/ml/rng.js';

const PAPER_CIFAR10 = { acc: 0.623, nmi: 0.496, ari: 0.408, note: 'DCCM paper, full CIFAR-10 (60,000 images), GPU' };

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export async function throughput(backendName: Exclude<BackendPreference, 'auto'>, steps: number, warmup: number, workers: number, size: 32 | 64 | 96 = 32): Promise<Record<string, unknown>> {
  const backend = await initBackend(backendName);
  const batch = 64;
  const r = new Rng(1);
  const wanted = warmup + steps;
  const source = new MemoryImageSource(Uint8Array.from({ length: batch * wanted * size * size * 3 }, () => r.int(256)), size);
  const model = createDccmNet({ inputSize: size, k: 10, seed: 1 });
  // The processor schedule at this size (above 32 px: steps computed stage by stage, see core/ml/scratch/memoryPlan.ts).
  const base = recommendedTrainConfig('wasm', size);
  const config: Partial<TrainConfig> = {
    ...base,
    epochs: 1,
    bigBatch: batch * wanted,
    miniBatch: batch,
    passes: 1,
    recalibrateBatchNorm: false,
    finalCalibrationImages: 0,
  };
  const stepTimes: number[] = [];
  const stepCpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const onEvent = (e: TrainEvent): void => {
    if (e.type === 'targets') {
      last = performance.now();
      lastCpu = process.cpuUsage();
    }
    if (e.type === 'step') {
      stepTimes.push((performance.now() - last) / 1000);
      stepCpu.push(cpuSeconds(lastCpu));
      last = performance.now();
      lastCpu = process.cpuUsage();
    }
  };
  // One pass of `wanted` steps; warm-up steps (kernel set-up, XNNPACK operator creation) are not timed.
  await train({ model, views: new ImageViews(source, size), config, workers, onEvent });
  model.dispose();
  const timed = stepTimes.slice(warmup);
  const timedCpu = stepCpu.slice(warmup);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    backend: backend.name,
    device: backend.device,
    inputSize: size,
    threads: backend.threads,
    gradientWorkers: workers,
    shards: config.shards,
    miniBatch: batch,
    imagesPerStepForwardBackward: batch * (1 + (config.augmentedViews ?? 1)),
    steps: timed.length,
    secondsPerStep: mean(timed),
    cpuSecondsPerStep: mean(timedCpu),
    imagesPerSecond: batch / mean(timed),
    miHidden: config.miHidden,
    stageWise: config.stageWise,
  };
}

/** The first `perClass` JPEGs (by name) of each class folder of ../shared/datasets/cifar10-test, decoded to 96 px. */
export async function loadCifar(perClass: number, opts: { concurrency?: number } = {}): Promise<{ source: MemoryImageSource; labels: number[]; classes: string[]; seconds: number; errors: number }> {
  const t0 = performance.now();
  const root = path.join(sharedDir(), 'datasets', 'cifar10-test');
  const classes = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort();
  const files: string[] = [];
  const labelOf = new Map<string, number>();
  classes.forEach((c, ci) => {
    for (const f of fs.readdirSync(path.join(root, c)).filter((f) => f.endsWith('.jpg')).sort().slice(0, perClass)) {
      files.push(`${c}/${f}`);
      labelOf.set(`${c}/${f}`, ci);
    }
  });
  const decoded = await decodeImages(root, files, opts);
  return { source: decoded.source, labels: decoded.paths.map((p) => labelOf.get(p)!), classes, seconds: (performance.now() - t0) / 1000, errors: decoded.errors.length };
}

export async function quality(perClass: number, budgetMinutes: number, seed: number, backend: BackendInfo, overrides: Partial<TrainConfig>): Promise<Record<string, unknown>> {
  const data = await loadCifar(perClass);
  const n = data.source.count;

  // Baseline: k-means on the raw pixels of exactly the images DCCM sees (32 px, [0, 1]).
  const t0 = performance.now();
  const pixels = resizeImages(data.source.pixels, n, data.source.size, 32);
  const rows = (await pixels.data()) as Float32Array;
  pixels.dispose();
  const km = kmeans(rows, n, 32 * 32 * 3, { k: 10, seed, restarts: 10 });
  const kmeansScores = scoreClustering(data.labels, km.assignments);
  const kmeansSeconds = (performance.now() - t0) / 1000;

  // DCCM from scratch; the budget covers training and predicting every image.
  const budget = budgetMinutes * 60;
  const predictReserve = 20;
  const config: TrainConfig = { ...recommendedTrainConfig(backend.kind), epochs: 1000, seed, ...overrides };
  const model = createDccmNet({ inputSize: 32, k: 10, seed });
  const views = new ImageViews(data.source, 32);
  const curve: Array<{ epoch: number; seconds: number; loss: number; confidentShare: number; graphPositiveShare: number; imagesPerSecond: number }> = [];
  const loadStart = os.loadavg()[0];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const workers = defaultWorkers(backend.kind);
  const result = await train({
    model,
    views,
    config,
    workers,
    maxSeconds: budget - predictReserve,
    onEvent: (e) => {
      if (e.type === 'epoch') {
        curve.push({ epoch: e.epoch, seconds: (performance.now() - start) / 1000, loss: e.loss.total, confidentShare: e.confidentShare, graphPositiveShare: e.graphPositiveShare, imagesPerSecond: e.imagesPerSecond });
        process.stderr.write(`epoch ${e.epoch}: loss ${e.loss.total.toFixed(3)}, confident ${(100 * e.confidentShare).toFixed(1)} %, ${e.imagesPerSecond.toFixed(1)} img/s, ${curve[curve.length - 1]!.seconds.toFixed(0)} s\n`);
      }
    },
  });
  const trainSeconds = (performance.now() - start) / 1000;
  const predictions = await predict(model, views);
  const totalSeconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(cpuStart);
  model.dispose();
  const clusters = predictions.map((p) => p.cluster);
  const dccm: ClusteringScores = scoreClustering(data.labels, clusters);
  const sizes = Array.from({ length: 10 }, (_, c) => clusters.filter((x) => x === c).length);
  return {
    images: n,
    perClass,
    decodeSeconds: data.seconds,
    decodeErrors: data.errors,
    budgetSeconds: budget,
    backend: backend.name,
    threads: backend.threads,
    gradientWorkers: workers,
    config,
    dccm: {
      ...dccm,
      steps: result.steps,
      epochsCompleted: result.epochsCompleted,
      stoppedBy: result.stoppedBy,
      trainSeconds,
      totalSeconds,
      processCpuSeconds: cpu,
      clusterSizes: sizes,
      curve,
    },
    kmeansRawPixels: { ...kmeansScores, seconds: kmeansSeconds, restarts: 10 },
    accGainOverKmeans: dccm.acc - kmeansScores.acc,
    target: 'DCCM ACC ≥ k-means ACC + 0.10',
    targetMet: dccm.acc >= kmeansScores.acc + 0.1,
    paper: PAPER_CIFAR10,
    loadAverage: { atStart: loadStart, atEnd: os.loadavg()[0] },
    note: 'NMI is the arithmetic-mean normalisation (scikit-learn ≥ 0.22); nmiGeometric is I/√(H(Y)H(C)).',
  };
}

/**
 * The cpu backend's step runs in a child process so that it can be stopped after `capSeconds` (a step is one long
 * synchronous computation); when it is stopped, only a lower bound on the wasm/cpu ratio is known.
 */
function cpuThroughputCapped(capSeconds: number): Record<string, unknown> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '_cpuStep.ts');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: path.dirname(path.dirname(script)), encoding: 'utf8', timeout: capSeconds * 1000, killSignal: 'SIGKILL' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  return { backend: 'cpu', completed: false, stoppedAfterSeconds: seconds, imagesPerSecondAtMost: 64 / seconds, error: r.error?.message ?? r.stderr.slice(-500) };
}

export async function run(args: string[]): Promise<object> {
  const { values } = parseArgs({
    args,
    options: {
      'budget-minutes': { type: 'string', default: '15' },
      'per-class': { type: 'string', default: '200' },
      'throughput-steps': { type: 'string', default: '3' },
      'skip-throughput': { type: 'boolean', default: false },
      'skip-quality': { type: 'boolean', default: false },
      seed: { type: 'string', default: '0' },
      config: { type: 'string', default: '{}' },
      'cpu-cap-minutes': { type: 'string', default: '10' },
      backend: { type: 'string' },
      size: { type: 'string', default: '32' },
      'budget-seconds': { type: 'string' },
      'skip-cpu': { type: 'boolean', default: false },
    },
  });
  const extra = parseBackendPreference(values.backend);
  const size = Number(values.size) as 32 | 64 | 96;
  if (size !== 32 && size !== 64 && size !== 96) throw new Error('--size must be 32, 64 or 96');
  const report: Record<string, unknown> = { loadAverageAtStart: os.loadavg() };
  if (!values['skip-throughput']) {
    const steps = Number(values['throughput-steps']);
    const wasm = await throughput('wasm', steps, 1, 0, size);
    process.stderr.write(`wasm, one thread: ${JSON.stringify(wasm)}\n`);
    const workers = defaultWorkers('wasm');
    const wasmWorkers = workers > 0 ? await throughput('wasm', steps, 1, workers, size) : undefined;
    if (wasmWorkers) process.stderr.write(`wasm, ${workers} gradient worker(s): ${JSON.stringify(wasmWorkers)}\n`);
    const rate = (r: Record<string, unknown> | undefined): number => (r ? (r.imagesPerSecond as number) : NaN);
    // The requested backend next to the wasm baseline, in the same run (a failure to start is reported, not fatal).
    let other: Record<string, unknown> | undefined;
    if (extra && extra !== 'auto' && extra !== 'wasm') {
      try {
        other = await throughput(extra, steps, 1, 0, size);
      } catch (err) {
        other = { backend: extra, error: (err as Error).message };
      }
      process.stderr.write(`${extra}: ${JSON.stringify(other)}\n`);
    }
    // The plain JavaScript backend is two orders of magnitude slower: one timed step (no warm-up) is enough.
    const cpu = values['skip-cpu'] || size !== 32 ? undefined : cpuThroughputCapped(Number(values['cpu-cap-minutes']) * 60);
    report.throughput = {
      wasm,
      ...(wasmWorkers ? { wasmWithWorkers: wasmWorkers, workersOverSingleThread: rate(wasmWorkers) / rate(wasm) } : {}),
      ...(other ? { [extra!]: other, [`${extra}OverWasm`]: rate(other) / rate(wasm) } : {}),
      ...(cpu ? { cpu } : {}),
      ...(!cpu ? {} : cpu.completed === false ? { wasmOverCpuAtLeast: rate(wasm) / (cpu.imagesPerSecondAtMost as number) } : { wasmOverCpu: rate(wasm) / rate(cpu) }),
    };
    report.imagesPerSecondByBackend = { wasm: rate(wasm), ...(other ? { [extra!]: other.error ? null : rate(other) } : {}) };
    process.stderr.write(`throughput at ${size} px: ${JSON.stringify(report.imagesPerSecondByBackend)}\n`);
  }
  if (!values['skip-quality']) {
    const backend = await initBackend(extra && extra !== 'auto' ? extra : 'wasm');
    const overrides = JSON.parse(values.config!) as Partial<TrainConfig>;
    const minutes = values['budget-seconds'] !== undefined ? Number(values['budget-seconds']) / 60 : Number(values['budget-minutes']);
    report.quality = await quality(Number(values['per-class']), minutes, Number(values.seed), backend, overrides);
  }
  report.tensorsAtEnd = tf.memory().numTensors;
  return report;
}
