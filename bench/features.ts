// `npm run bench -- features [--images N] [--per-class N] [--sizes 224,160,128,96] [--skip-speed] [--skip-quality]
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
  seconds: number;
  imagesPerSecond: number;
  ratioToBaseline?: number;
}

const label = (v: Variant) =>
  `${v.runtime}${v.runtime === 'onnx' ? '' : `/${v.backend}`}${v.onnxThreads ? `/ort-threads=${v.onnxThreads}` : ''}${v.workers > 1 ? `/workers=${v.workers}` : ''}`;

async function makeExtractor(id: string, dir: string, inputSize: number, v: Variant): Promise<FeatureExtractor> {
  if (v.workers > 1) return createParallelExtractor(id, { dir, inputSize, runtime: v.runtime, workers: v.workers, onnxThreads: v.onnxThreads, backend: v.backend });
  await setupTf(v.backend);
  return createFeatureExtractor(id, { dir, inputSize, runtime: v.runtime, onnxThreads: v.onnxThreads });
}

async function timeVariant(id: string, dir: string, inputSize: number, v: Variant, imgs: { pixels: Uint8Array; n: number; side: number }): Promise<SpeedRow> {
  const ex = await makeExtractor(id, dir, inputSize, v);
  try {
    const frame = imgs.side * imgs.side * 3;
    const warm = Math.min(imgs.n, 8);
    await ex.extract(imgs.pixels.subarray(0, warm * frame), warm, imgs.side);
    const t0 = performance.now();
    await ex.extract(imgs.pixels, imgs.n, imgs.side);
    const seconds = (performance.now() - t0) / 1000;
    return { backbone: id, inputSize, ...v, images: imgs.n, seconds: +seconds.toFixed(3), imagesPerSecond: +(imgs.n / seconds).toFixed(1) };
  } finally {
    ex.dispose();
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
      images: { type: 'string', default: '64' },
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
    const rows: SpeedRow[] = [];
    const variants: Variant[] = [
      { runtime: 'tfjs', backend: 'wasm', workers: 1 },
      { runtime: 'tfjs', backend: 'wasm', workers: 2 },
      { runtime: 'onnx', backend: 'wasm', workers: 1, onnxThreads: 1 },
      { runtime: 'onnx', backend: 'wasm', workers: 1, onnxThreads: 2 },
      { runtime: 'onnx', backend: 'wasm', workers: 2, onnxThreads: 1 },
    ];
    const baseline: Variant = { runtime: 'tfjs', backend: 'wasm', workers: 1 };
    const baseRow = await timeVariant(backbones[0]!, dirOf(backbones[0]!), 224, baseline, imgs);
    for (const id of backbones) {
      for (const size of sizes) {
        for (const v of variants) {
          const row = await timeVariant(id, dirOf(id), size, v, imgs);
          row.ratioToBaseline = +(row.imagesPerSecond / baseRow.imagesPerSecond).toFixed(2);
          rows.push(row);
          process.stderr.write(`${id} ${size}px ${label(v)}: ${row.imagesPerSecond} img/s (×${row.ratioToBaseline})\n`);
        }
      }
      if (id.startsWith('mobilenet_v1')) {
        const row = await timeVariant(id, dirOf(id), 224, { runtime: 'tfjs-layers', backend: 'wasm', workers: 1 }, imgs);
        row.ratioToBaseline = +(row.imagesPerSecond / baseRow.imagesPerSecond).toFixed(2);
        rows.push(row);
      }
      if (values.cpu) {
        const few = { pixels: imgs.pixels.subarray(0, 8 * 32 * 32 * 3), n: 8, side: 32 };
        const row = await timeVariant(id, dirOf(id), Math.min(...sizes), { runtime: 'tfjs', backend: 'cpu', workers: 1 }, few);
        row.ratioToBaseline = +(row.imagesPerSecond / baseRow.imagesPerSecond).toFixed(2);
        rows.push(row);
        await setupTf('wasm');
      }
    }
    const best = rows.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
    report.speed = {
      input: `${nSpeed} CIFAR-10 test images (32×32, files 0500+), resized on the backend; one warm-up batch first`,
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
      method: 'sklearn KMeans(k=10, n_init=10, random_state=0) on raw and L2-normalised embeddings; ACC by Hungarian matching, NMI arithmetic (sklearn default) and geometric, ARI',
      extractSeconds,
      results: kmeansQuality(features, data.labels, CIFAR_CLASSES.length),
    };
  }
  report.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  return report;
}
