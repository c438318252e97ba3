import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { createFeatureExtractor, type FeatureExtractor, type Features, loadBackboneGraph } from './extractor.js';
import { getBackbone } from './registry.js';
import { TfGraphRunner } from './tfGraph.js';
import { initBackend } from '../runtime/backend.js';

const V1 = 'mobilenet_v1_0.75_224';
const V2 = 'mobilenet_v2_1.0_224_int8_tflite';
const dirOf = (id: string) => path.join(sharedDir(), 'models', id);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
function maxAbs(a: Float32Array): number {
  return a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

let images: Awaited<ReturnType<typeof loadCifar>>;

beforeAll(async () => {
  await initBackend('wasm');
  images = await loadCifar(['airplane', 'cat', 'ship', 'truck'], 2);
});

describe.each([
  { id: V1, runtimes: ['tfjs', 'tfjs-layers', 'onnx'] as const, dim: 768, shallow: [4, 4, 96] },
  { id: V2, runtimes: ['tfjs', 'onnx'] as const, dim: 1280, shallow: [4, 4, 24] },
])('$id features', ({ id, runtimes, dim, shallow }) => {
  const results = new Map<string, Features>();
  const extractors: FeatureExtractor[] = [];

  beforeAll(async () => {
    for (const runtime of runtimes) {
      const ex = await createFeatureExtractor(id, { dir: dirOf(id), runtime, inputSize: 96, batchSize: 3 });
      extractors.push(ex);
      results.set(runtime, await ex.extract(images.pixels, images.n, images.side));
    }
  });
  afterAll(() => extractors.forEach((e) => e.dispose()));

  it('has the registry dimensions', () => {
    const ex = extractors[0]!;
    expect([ex.embeddingDim, ex.shallowDim, ex.inputSize]).toEqual([dim, shallow[0]! * shallow[1]! * shallow[2]!, 96]);
    expect(ex.shallowShape).toEqual(shallow);
    const f = results.get('tfjs')!;
    expect(f.embedding).toHaveLength(images.n * dim);
    expect(f.shallow).toHaveLength(images.n * ex.shallowDim);
    // Pooled ReLU6 activations: non-negative, bounded, not all zero.
    expect(Math.min(...f.embedding)).toBeGreaterThanOrEqual(0);
    expect(maxAbs(f.embedding)).toBeLessThanOrEqual(6);
    expect(maxAbs(f.embedding)).toBeGreaterThan(0.5);
  });

  it('every runtime computes the same features', () => {
    const ref = results.get('tfjs')!;
    for (const runtime of runtimes) {
      const f = results.get(runtime)!;
      expect(maxAbsDiff(f.embedding, ref.embedding), runtime).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref.embedding)));
      expect(maxAbsDiff(f.shallow, ref.shallow), runtime).toBeLessThan(1e-3 * Math.max(1, maxAbs(ref.shallow)));
    }
  });

  it('is deterministic and independent of batch split and of the input path', async () => {
    const ex = extractors[0]!;
    const again = await ex.extract(images.pixels, images.n, images.side);
    expect(maxAbsDiff(again.embedding, results.get('tfjs')!.embedding)).toBe(0);
    const t = tf.tensor4d(images.pixels, [images.n, images.side, images.side, 3], 'int32');
    const viaTensor = await ex.extractTensor(t);
    t.dispose();
    expect(maxAbsDiff(viaTensor.embedding, again.embedding)).toBe(0);
    // One image alone gives the same row as inside a batch.
    const frame = images.side * images.side * 3;
    const single = await ex.extract(images.pixels.subarray(5 * frame, 6 * frame), 1, images.side);
    expect(maxAbsDiff(single.embedding, again.embedding.subarray(5 * dim, 6 * dim))).toBeLessThan(1e-5);
  });

  it('leaves no tensors behind', async () => {
    for (const ex of extractors) {
      const before = tf.memory().numTensors;
      await ex.extract(images.pixels, images.n, images.side);
      expect(tf.memory().numTensors, ex.runtime).toBe(before);
    }
  });

  it('separates different images', () => {
    const f = results.get('tfjs')!;
    const row = (i: number) => f.embedding.subarray(i * dim, (i + 1) * dim);
    expect(maxAbsDiff(row(0), row(7))).toBeGreaterThan(0.1);
  });
});

describe('createFeatureExtractor arguments', () => {
  it('installs the backbone into modelsDir first when given no dir', async () => {
    const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-models-'));
    try {
      const ex = await createFeatureExtractor(V2, { modelsDir, download: { source: path.join(sharedDir(), 'models') }, inputSize: 64, runtime: 'tfjs' });
      expect(fs.existsSync(path.join(modelsDir, V2, '.verified.json'))).toBe(true);
      expect(ex.cacheKey).toBe(`${V2}@64/f1`);
      ex.dispose();
    } finally {
      fs.rmSync(modelsDir, { recursive: true, force: true });
    }
  });

  it('rejects input sizes the shallow grid cannot pool and a wrong pixel count', async () => {
    await expect(createFeatureExtractor(V2, { dir: dirOf(V2), inputSize: 100 })).rejects.toThrow(/multiple of 32/);
    await expect(createFeatureExtractor(V2, { dir: dirOf(V2), inputSize: 48 })).rejects.toThrow(/multiple of 32/);
    await expect(createFeatureExtractor(V2, { dir: dirOf(V2), runtime: 'tfjs-layers' })).rejects.toThrow(/layers backbone/);
    await expect(createFeatureExtractor(V2, {})).rejects.toThrow(/modelsDir/);
    const ex = await createFeatureExtractor(V2, { dir: dirOf(V2), inputSize: 64 });
    await expect(ex.extract(new Uint8Array(10), 1, 32)).rejects.toThrow(/expected 1×32×32×3 bytes/);
    ex.dispose();
  });
});

describe('MobileNetV2 TFLite classifier (dequantized int8 weights)', () => {
  it('recognises vehicles in CIFAR images with ImageNet labels', async () => {
    const spec = getBackbone(V2);
    const labels = fs.readFileSync(path.join(dirOf(V2), 'imagenet_labels.txt'), 'utf8').split('\n');
    const graph = await loadBackboneGraph(spec, dirOf(V2));
    const runner = new TfGraphRunner(graph, [graph.output]);
    const perClass = 12;
    const imgs = await loadCifar(['airplane', 'ship', 'truck'], perClass);
    const x = tf.tidy(() => {
      const u = tf.cast(tf.tensor4d(imgs.pixels, [imgs.n, 32, 32, 3], 'int32'), 'float32') as tf.Tensor4D;
      const r = tf.image.resizeBilinear(u, [224, 224], false, true);
      return tf.add(tf.mul(r, spec.preprocessing.scale), spec.preprocessing.offset) as tf.Tensor4D;
    });
    const [probs] = runner.run(x);
    const p = (await probs!.data()) as Float32Array;
    x.dispose();
    probs!.dispose();
    runner.dispose();
    const K = labels.length;
    expect(p.length).toBe(imgs.n * 1001);
    const topk = (i: number, k: number) =>
      Array.from(p.subarray(i * 1001, (i + 1) * 1001).keys())
        .sort((a, b) => p[i * 1001 + b]! - p[i * 1001 + a]!)
        .slice(0, k)
        .map((j) => labels[j]!.split(',')[0]!);
    // Probabilities are a softmax.
    const rowSum = p.subarray(0, 1001).reduce((s, v) => s + v, 0);
    expect(rowSum).toBeCloseTo(1, 3);
    expect(K).toBeGreaterThanOrEqual(1001);

    const aircraft = new Set(['airliner', 'warplane', 'wing', 'airship', 'space shuttle']);
    const vessels = new Set(['yawl', 'schooner', 'fireboat', 'speedboat', 'pirate', 'container ship', 'liner', 'lifeboat', 'catamaran', 'trimaran', 'submarine', 'aircraft carrier', 'canoe', 'gondola', 'wreck']);
    const trucks = new Set(['moving van', 'trailer truck', 'garbage truck', 'ambulance', 'pickup', 'tow truck', 'fire engine', 'police van', 'minivan', 'trolleybus']);
    const count = (from: number, k: number, set: Set<string>) => Array.from({ length: perClass }, (_, j) => topk(from + j, k)).filter((t) => t.some((l) => set.has(l))).length;
    // Random weights would hit a 5–15-class set in the top 3 of 1001 about 1–4% of the time.
    expect(count(0, 3, aircraft)).toBeGreaterThanOrEqual(3);
    expect(count(perClass, 3, vessels)).toBeGreaterThanOrEqual(4);
    expect(count(2 * perClass, 1, trucks)).toBeGreaterThanOrEqual(9);
  });
});

describe('onnxruntime execution providers', () => {
  it('gives the same features whichever provider was chosen (the platform default with its fallbacks vs forced CPU)', async () => {
    const run = async (forced: string | undefined): Promise<Features> => {
      const before = process.env.PHOTOCLUSTER_ONNX_PROVIDER;
      if (forced) process.env.PHOTOCLUSTER_ONNX_PROVIDER = forced;
      else delete process.env.PHOTOCLUSTER_ONNX_PROVIDER;
      try {
        const ex = await createFeatureExtractor(V2, { dir: dirOf(V2), runtime: 'onnx', inputSize: 96, batchSize: 3 });
        try {
          return await ex.extract(images.pixels, images.n, images.side);
        } finally {
          ex.dispose();
        }
      } finally {
        if (before === undefined) delete process.env.PHOTOCLUSTER_ONNX_PROVIDER;
        else process.env.PHOTOCLUSTER_ONNX_PROVIDER = before;
      }
    };
    const chosen = await run(undefined);
    const cpu = await run('cpu');
    expect(maxAbsDiff(chosen.embedding, cpu.embedding)).toBeLessThanOrEqual(1e-3 * maxAbs(cpu.embedding));
    expect(maxAbsDiff(chosen.shallow, cpu.shallow)).toBeLessThanOrEqual(1e-3 * maxAbs(cpu.shallow));
  }, 120_000);
});
