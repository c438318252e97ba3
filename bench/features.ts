// `npm run bench -- features [--images N] [--rounds R] [--per-class N] [--sizes 224,160,128,96] [--skip-speed] [--skip-quality]
//  [--backbones id,id] [--cpu]`
// Backbone inference speed (images/s) per backbone × input size × runtime × parallelism, as ratios against the
// MobileNet v1 / TF.js wasm / 224 px / one thread baseline measured in the same run (the machine is shared), and
// k-means quality of each backbone × size on CIFAR-10 test images (sklearn k-means on the dumped features; labels
// only score). Features come from the shared models dir, never the network.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFeatureExtractor, type FeatureExtractor, type RuntimeName } from '../core/ml/backbones/extractor.js';
import { createParallelExtractor } from '../core/ml/backbones/parallel.js';
import { listBackbones } from '../core/ml/backbones/registry.js';
import { setupTf, type TfBackendName } from '../core/ml/backbones/tfSetup.js';
import { sharedDir } from '../core/paths.js';
import { CIFAR_CLASSES, loadCifar } from '../test/cifarImages.js';

interface Variant {
  runtime: RuntimeName;
  backend: TfBackendName;
  /** Worker threads (1 = in this thread). */
  workers: number;
  /** onnxruntime intra-op threads per session. */
  onnxThreads?: number;
}

interface SpeedRow extends Variant {
  backbone: string;
  inputSize: number;
  images: number;
  /** Median round. */
  seconds: number;
  imagesPerSecond: number;
  bestImagesPerSecond: number;
  ratioToBaseline?: number;
}

const label = (v: Variant) =>
  `${v.runtime}${v.runtime === 'onnx' ? '' : `/${v.backend}`}${v.onnxThreads ? `/ort-threads=${v.onnxThreads}` : ''}${v.workers > 1 ? `/workers=${v.workers}` : ''}`;

async function makeExtractor(id: string, dir: string, inputSize: number, v: Variant): Promise<FeatureExtractor> {
  if (v.workers > 1) return createParallelExtractor(id, { dir, inputSize, runtime: v.runtime, workers: v.workers, onnxThreads: v.onnxThreads, backend: v.backend });
  await setupTf(v.backend);
  return createFeatureExtractor(id, { dir, inputSize, runtime: v.runtime, onnxThreads: v.onnxThreads });
}

/** Seconds for one `extract` of the whole sample (after the extractor's first call has warmed it up). */
async function timeOnce(ex: FeatureExtractor, imgs: { pixels: Uint8Array; n: number; side: number }): Promise<number> {
  const t0 = performance.now();
  await ex.extract(imgs.pixels, imgs.n, imgs.side);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Times every variant of one backbone × size in round-robin rounds, so load from other processes on this shared
 * machine hits all variants alike; reports the median and best round.
 */
async function timeVariants(id: string, dir: string, inputSize: number, variants: Variant[], imgs: { pixels: Uint8Array; n: number; side: number }, rounds: number): Promise<SpeedRow[]> {
  const frame = imgs.side * imgs.side * 3;
  const warm = Math.min(imgs.n, 8);
  const extractors: FeatureExtractor[] = [];
  try {
    for (const v of variants) {
      const ex = await makeExtractor(id, dir, inputSize, v);
      extractors.push(ex);
      await ex.extract(imgs.pixels.subarray(0, warm * frame), warm, imgs.side);
    }
    const times = variants.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      for (const [i, ex] of extractors.entries()) times[i]!.push(await timeOnce(ex, imgs));
    }
    return variants.map((v, i) => {
      const med = median(times[i]!);
      const best = Math.min(...times[i]!);
      return {
        backbone: id,
        inputSize,
        ...v,
        images: imgs.n,
        seconds: +med.toFixed(3),
        imagesPerSecond: +(imgs.n / med).toFixed(1),
        bestImagesPerSecond: +(imgs.n / best).toFixed(1),
      };
    });
  } finally {
    extractors.forEach((e) => e.dispose());
  }
}

function kmeansQuality(features: { name: string; data: Float32Array; dim: number }[], labels: number[], k: number): Record<string, unknown> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-feat-'));
  try {
    const labelPath = path.join(tmp, 'labels.i32');
    fs.writeFileSync(labelPath, new Uint8Array(Int32Array.from(labels).buffer));
    const job = {
      labels: labelPath,
      k,
      seeds: 5,
      features: features.map((f, i) => {
        const p = path.join(tmp, `f${i}.f32`);
        fs.writeFileSync(p, new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength));
        return { name: f.name, path: p, dim: f.dim };
      }),
    };
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '_kmeans.py');
    // Debian's python3-sklearn (apt-get install python3-sklearn) lives under /usr/bin/python3.
    const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = spawnSync(python, [script], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) return { error: `k-means scoring failed (needs python3-sklearn): ${r.stderr.slice(-500)}` };
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<object> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string', default: '96' },
      rounds: { type: 'string', default: '3' },
      'per-class': { type: 'string', default: '100' },
      sizes: { type: 'string', default: '224,160,128,96' },
      backbones: { type: 'string' },
      'skip-speed': { type: 'boolean', default: false },
      'skip-quality': { type: 'boolean', default: false },
      cpu: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const backbones = values.backbones ? values.backbones.split(',') : listBackbones().map((b) => b.id);
  const dirOf = (id: string) => path.join(sharedDir(), 'models', id);
  const report: Record<string, unknown> = { sizes, backbones, loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)) };

  if (!values['skip-speed']) {
    const nSpeed = Number(values.images);
    const perClass = Math.ceil(nSpeed / CIFAR_CLASSES.length);
    const all = await loadCifar(CIFAR_CLASSES, perClass, 500);
    const imgs = { pixels: all.pixels.subarray(0, nSpeed * 32 * 32 * 3), n: nSpeed, side: 32 };
    const rounds = Number(values.rounds);
    const rows: SpeedRow[] = [];
    const baseline: Variant = { runtime: 'tfjs', backend: 'wasm', workers: 1 };
    const variants: Variant[] = [
      baseline,
      { runtime: 'tfjs', backend: 'wasm', workers: 2 },
      { runtime: 'onnx', backend: 'wasm', workers: 1, onnxThreads: 1 },
      { runtime: 'onnx', backend: 'wasm', workers: 1, onnxThreads: 2 },
      { runtime: 'onnx', backend: 'wasm', workers: 2, onnxThreads: 1 },
    ];
    for (const id of backbones) {
      for (const size of sizes) {
        const vs = id.startsWith('mobilenet_v1') && size === 224 ? [...variants, { runtime: 'tfjs-layers', backend: 'wasm', workers: 1 } as Variant] : variants;
        for (const row of await timeVariants(id, dirOf(id), size, vs, imgs, rounds)) {
          rows.push(row);
          process.stderr.write(`${id} ${size}px ${label(row)}: ${row.imagesPerSecond} img/s (best ${row.bestImagesPerSecond})\n`);
        }
      }
      if (values.cpu) {
        const few = { pixels: imgs.pixels.subarray(0, 8 * 32 * 32 * 3), n: 8, side: 32 };
        rows.push(...(await timeVariants(id, dirOf(id), Math.min(...sizes), [{ runtime: 'tfjs', backend: 'cpu', workers: 1 }], few, 1)));
        await setupTf('wasm');
      }
    }
    const isBase = (r: SpeedRow) => r.backbone === backbones[0] && r.inputSize === Math.max(...sizes) && label(r) === label(baseline);
    const baseRow = rows.find(isBase) ?? rows[0]!;
    for (const r of rows) r.ratioToBaseline = +(r.imagesPerSecond / baseRow.imagesPerSecond).toFixed(2);
    const best = rows.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
    report.speed = {
      input: `${nSpeed} CIFAR-10 test images (32×32, files 0500+), resized on the backend; warm-up call first, then ${rounds} round-robin rounds over the variants; imagesPerSecond is the median round`,
      baseline: baseRow,
      rows: rows.map((r) => ({ ...r, variant: label(r) })),
      best: { ...best, variant: label(best) },
      /** Backbone time for 10,000 images × (1 + 4 augmented views) at each row's speed. */
      projected10kTimesFiveViewsMinutes: Object.fromEntries(rows.map((r) => [`${r.backbone}@${r.inputSize}/${label(r)}`, +(50_000 / r.imagesPerSecond / 60).toFixed(1)])),
    };
  }

  if (!values['skip-quality']) {
    const perClass = Number(values['per-class']);
    const data = await loadCifar(CIFAR_CLASSES, perClass);
    const features: { name: string; data: Float32Array; dim: number }[] = [];
    const extractSeconds: Record<string, number> = {};
    for (const id of backbones) {
      for (const size of sizes) {
        // ONNX computes the same features as TF.js (tested to 1e-3) and is the fastest runtime here.
        const ex = await makeExtractor(id, dirOf(id), size, { runtime: 'onnx', backend: 'wasm', workers: 1, onnxThreads: 2 });
        const t0 = performance.now();
        const f = await ex.extract(data.pixels, data.n, data.side);
        extractSeconds[`${id}@${size}`] = +((performance.now() - t0) / 1000).toFixed(1);
        ex.dispose();
        features.push({ name: `${id}@${size}`, data: f.embedding, dim: ex.embeddingDim });
        process.stderr.write(`features ${id}@${size}: ${extractSeconds[`${id}@${size}`]} s\n`);
      }
    }
    report.quality = {
      data: `${data.n} CIFAR-10 test images (${perClass} per class, files 0000+), embedding = pooled deep tap`,
      method:
        'sklearn KMeans(k=10, n_init=10) for random_state 0–4 on raw and L2-normalised embeddings (mean, and std of ACC); ACC by Hungarian matching, NMI arithmetic (sklearn default) and geometric, ARI; knn10 = leave-one-out 10-NN accuracy (cosine)',
      extractSeconds,
      results: kmeansQuality(features, data.labels, CIFAR_CLASSES.length),
    };
  }
  report.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  return report;
}
