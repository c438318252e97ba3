// One interface over every backbone and runtime: uint8 RGB images (or a TF.js batch, e.g. augmented views) in,
// a pooled deep embedding and a small pooled shallow map out.
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackbone, type EnsureBackboneOptions } from './download.js';
import type { Graph } from './graph.js';
import { type BackboneSpec, getBackbone } from './registry.js';
import { gridPool, TfGraphRunner } from './tfGraph.js';

/**
 * - `tfjs`: the backbone as a float Graph (BatchNorm folded, fused conv kernels) on the active TF.js backend.
 * - `tfjs-layers`: TF.js layers models only — the layers model itself, cut at the two taps (the reference path).
 * - `onnx`: the same Graph exported to ONNX and run by onnxruntime-node (resize and preprocessing stay on TF.js).
 */
export type RuntimeName = 'tfjs' | 'tfjs-layers' | 'onnx';

/**
 * Bump when a change alters the numbers an extractor produces (taps, pooling, resize, preprocessing), so feature
 * caches keyed by `cacheKey` are recomputed. Runtimes are interchangeable (equal to 1e-3) and not part of the key.
 */
export const FEATURE_FORMAT_VERSION = 1;

export interface Features {
  n: number;
  /** n × embeddingDim, row-major. */
  embedding: Float32Array;
  /** n × shallowDim, each row a [grid, grid, channels] map in NHWC order. */
  shallow: Float32Array;
}

export interface FeatureExtractor {
  readonly id: string;
  readonly runtime: RuntimeName;
  /** `<backbone>@<inputSize>/f<FEATURE_FORMAT_VERSION>`: what cached features of one photo view depend on. */
  readonly cacheKey: string;
  /** Side the images are resized to before the network. */
  readonly inputSize: number;
  readonly embeddingDim: number;
  readonly shallowDim: number;
  /** [grid, grid, channels] of one shallow row. */
  readonly shallowShape: [number, number, number];
  /** `pixels`: n square RGB images of `side`×`side`, NHWC uint8 (any side; resized on the backend). */
  extract(pixels: Uint8Array, n: number, side: number): Promise<Features>;
  /** Same for a batch already on the backend: [n, h, w, 3] with RGB values in 0–255 (not disposed). */
  extractTensor(images: tf.Tensor4D): Promise<Features>;
  dispose(): void;
}

export interface CreateFeatureExtractorOptions {
  /** An installed backbone folder; otherwise `modelsDir` is used to ensure (download/verify) it first. */
  dir?: string;
  modelsDir?: string;
  download?: Omit<EnsureBackboneOptions, 'modelsDir'>;
  /** Default: the backbone's native size. */
  inputSize?: number;
  /** Default `auto`: onnxruntime-node when it loads on this platform, else the TF.js graph. */
  runtime?: RuntimeName | 'auto';
  /** Images per network call; bounds memory (activations of 32 images at 224 px ≈ 100 MB). Default 32. */
  batchSize?: number;
  /** onnxruntime intra-op threads (default 1: parallelism comes from running one extractor per worker). */
  onnxThreads?: number;
}

/** Loads the float Graph of an installed backbone (TFLite dequantized, or the TF.js layers model with BN folded). */
export async function loadBackboneGraph(spec: BackboneSpec, dir: string): Promise<Graph> {
  if (spec.format === 'tflite') {
    const { readTflite } = await import('./tflite/reader.js');
    const { tfliteToGraph } = await import('./tflite/toGraph.js');
    return tfliteToGraph(readTflite(await fs.readFile(path.join(dir, spec.entry))));
  }
  const { loadLayersModel, layersModelToGraph } = await import('./layersModel.js');
  const model = await loadLayersModel(dir);
  try {
    return layersModelToGraph(model);
  } finally {
    model.dispose();
  }
}

/** Runs the taps of a backbone for a preprocessed [n, s, s, 3] float batch; returns [n, h, w, c] maps. */
interface TapRunner {
  run(x: tf.Tensor4D): Promise<Features>;
  dispose(): void;
}

function tfTapRunner(run: (x: tf.Tensor4D) => tf.Tensor[], grid: number, disposeAll: () => void): TapRunner {
  return {
    async run(x) {
      const [emb, shallow] = tf.tidy(() => {
        const [deep, early] = run(x) as [tf.Tensor4D, tf.Tensor4D];
        return [tf.mean(deep, [1, 2]), tf.reshape(gridPool(early, grid), [x.shape[0], -1])];
      });
      try {
        const [e, s] = await Promise.all([emb!.data(), shallow!.data()]);
        return { n: x.shape[0], embedding: e as Float32Array, shallow: s as Float32Array };
      } finally {
        emb!.dispose();
        shallow!.dispose();
      }
    },
    dispose: disposeAll,
  };
}

async function createTapRunner(spec: BackboneSpec, dir: string, runtime: RuntimeName, inputSize: number, opts: CreateFeatureExtractorOptions): Promise<TapRunner> {
  const taps = [spec.embedding.tap, spec.shallow.tap];
  if (runtime === 'tfjs-layers') {
    if (spec.format !== 'tfjs-layers') throw new Error(`runtime tfjs-layers needs a TF.js layers backbone; ${spec.id} is ${spec.format}`);
    const tfl = await import('@tensorflow/tfjs-layers');
    const { loadLayersModel } = await import('./layersModel.js');
    const full = await loadLayersModel(dir, inputSize);
    const model = tfl.model({ inputs: full.inputs, outputs: taps.map((t) => full.getLayer(t).output as import('@tensorflow/tfjs-layers').SymbolicTensor) });
    return tfTapRunner((x) => model.predict(x) as tf.Tensor[], spec.shallow.grid, () => full.dispose());
  }
  const graph = await loadBackboneGraph(spec, dir);
  if (runtime === 'tfjs') {
    const runner = new TfGraphRunner(graph, taps);
    return tfTapRunner((x) => runner.run(x), spec.shallow.grid, () => runner.dispose());
  }
  const { OnnxFeatureSession } = await import('./onnx/session.js');
  const session = await OnnxFeatureSession.create(graph, { embedding: taps[0]!, shallow: taps[1]!, grid: spec.shallow.grid }, inputSize, opts.onnxThreads ?? 1);
  return {
    async run(x) {
      const data = (await x.data()) as Float32Array;
      return session.run(data, x.shape[0]);
    },
    dispose: () => void session.release(),
  };
}

export async function createFeatureExtractor(id: string, opts: CreateFeatureExtractorOptions = {}): Promise<FeatureExtractor> {
  const spec = getBackbone(id);
  let dir = opts.dir;
  if (!dir) {
    if (!opts.modelsDir) throw new Error('createFeatureExtractor needs `dir` (an installed backbone) or `modelsDir`');
    dir = await ensureBackbone(id, { ...opts.download, modelsDir: opts.modelsDir });
  }
  const inputSize = opts.inputSize ?? spec.inputSize;
  const minSide = spec.shallow.stride * spec.shallow.grid;
  if (inputSize < minSide || inputSize % 32 !== 0) {
    throw new Error(`input size ${inputSize} is not supported: use a multiple of 32, at least ${Math.max(minSide, 32)}`);
  }
  const batchSize = opts.batchSize ?? 32;
  let runtime: RuntimeName = opts.runtime === 'auto' || !opts.runtime ? 'onnx' : opts.runtime;
  let taps: TapRunner;
  try {
    taps = await createTapRunner(spec, dir, runtime, inputSize, opts);
  } catch (err) {
    // onnxruntime-node ships binaries for the common desktop platforms only; elsewhere TF.js does the work.
    if (opts.runtime !== 'auto' && opts.runtime !== undefined) throw err;
    runtime = 'tfjs';
    taps = await createTapRunner(spec, dir, runtime, inputSize, opts);
  }
  const { scale, offset } = spec.preprocessing;
  const grid = spec.shallow.grid;
  const shallowShape: [number, number, number] = [grid, grid, spec.shallow.channels];
  const shallowDim = grid * grid * spec.shallow.channels;
  const D = spec.embedding.dim;

  const prepare = (images: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      let x = tf.cast(images, 'float32') as tf.Tensor4D;
      if (x.shape[1] !== inputSize || x.shape[2] !== inputSize) x = tf.image.resizeBilinear(x, [inputSize, inputSize], false, true);
      return tf.add(tf.mul(x, scale), offset) as tf.Tensor4D;
    });

  const extractTensor = async (images: tf.Tensor4D): Promise<Features> => {
    const n = images.shape[0];
    if (images.shape[3] !== 3) throw new Error(`expected RGB images [n, h, w, 3], got [${images.shape}]`);
    const embedding = new Float32Array(n * D);
    const shallow = new Float32Array(n * shallowDim);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const x = tf.tidy(() => prepare(size === n ? images : (tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D)));
      try {
        const f = await taps.run(x);
        if (f.embedding.length !== size * D || f.shallow.length !== size * shallowDim) {
          throw new Error(`backbone ${id} produced ${f.embedding.length / size}-d embeddings and ${f.shallow.length / size}-d shallow maps, registry says ${D} and ${shallowDim}`);
        }
        embedding.set(f.embedding, start * D);
        shallow.set(f.shallow, start * shallowDim);
      } finally {
        x.dispose();
      }
    }
    return { n, embedding, shallow };
  };

  return {
    id,
    runtime,
    cacheKey: `${id}@${inputSize}/f${FEATURE_FORMAT_VERSION}`,
    inputSize,
    embeddingDim: D,
    shallowDim,
    shallowShape,
    extractTensor,
    async extract(pixels, n, side) {
      if (pixels.length !== n * side * side * 3) throw new Error(`expected ${n}×${side}×${side}×3 bytes, got ${pixels.length}`);
      const images = tf.tensor4d(pixels, [n, side, side, 3], 'int32');
      try {
        return await extractTensor(images);
      } finally {
        images.dispose();
      }
    },
    dispose: () => taps.dispose(),
  };
}
