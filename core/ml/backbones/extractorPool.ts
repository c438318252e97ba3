// Spreads feature extraction over worker threads, one extractor (and one TF.js backend / ORT session) per worker.
// TF.js wasm runs on one core in Node, so this is how a 2-core machine uses both cores.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CreateFeatureExtractorOptions, FeatureExtractor, Features, RuntimeName } from './extractor.js';
import type { BackendPreference } from '../runtime/backend.js';

export interface WorkerInit {
  id: string;
  dir: string;
  runtime: RuntimeName | 'auto';
  inputSize?: number;
  batchSize?: number;
  onnxThreads?: number;
  backend?: BackendPreference;
}

export type WorkerRequest = { seq: number; pixels: Uint8Array; n: number; side: number };
export type WorkerReply =
  | { kind: 'ready'; runtime: RuntimeName; cacheKey: string; embeddingDim: number; shallowDim: number; shallowShape: [number, number, number]; inputSize: number; backend: string }
  | { kind: 'result'; seq: number; embedding: Float32Array; shallow: Float32Array }
  | { kind: 'error'; seq: number; message: string };

export interface ParallelExtractorOptions extends Omit<CreateFeatureExtractorOptions, 'modelsDir' | 'download'> {
  /** Installed backbone folder (see ensureBackbone). */
  dir: string;
  /** Worker threads; default: the number of CPUs. */
  workers?: number;
  backend?: BackendPreference;
}

function spawn(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./extractorWorker.js', import.meta.url), { workerData: init });
  // Under tsx (development, tests, benches) the worker registers the TypeScript loader before loading its module.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./extractorWorker.ts', import.meta.url).href;
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: init });
}

/**
 * A FeatureExtractor that splits each call's images evenly over `workers` threads. `extractTensor` copies the
 * batch off the backend first, rounded to 0–255 integers (the workers have their own backends).
 */
export async function createParallelExtractor(id: string, opts: ParallelExtractorOptions): Promise<FeatureExtractor & { workers: number }> {
  const count = Math.max(1, opts.workers ?? os.cpus().length);
  const runtime = opts.runtime ?? 'auto';
  const init: WorkerInit = {
    id,
    dir: opts.dir,
    runtime,
    inputSize: opts.inputSize,
    batchSize: opts.batchSize,
    onnxThreads: opts.onnxThreads,
    backend: opts.backend,
  };
  const workers = Array.from({ length: count }, () => spawn(init));
  const pending = new Map<number, { resolve: (r: WorkerReply & { kind: 'result' }) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = await Promise.all(
    workers.map(
      (w) =>
        new Promise<WorkerReply & { kind: 'ready' }>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', (m: WorkerReply) => {
            if (m.kind === 'ready') resolve(m);
            else reject(new Error(m.kind === 'error' ? m.message : 'worker did not start'));
          });
        }),
    ),
  ).catch(async (err) => {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  });
  for (const w of workers) {
    w.on('message', (m: WorkerReply) => {
      if (m.kind === 'ready') return;
      const p = pending.get(m.seq);
      if (!p) return;
      pending.delete(m.seq);
      if (m.kind === 'error') p.reject(new Error(m.message));
      else p.resolve(m);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => code !== 0 && failAll(new Error(`feature worker exited with code ${code}`)));
  }
  const info = ready[0]!;

  const ask = (w: Worker, pixels: Uint8Array, n: number, side: number) =>
    new Promise<WorkerReply & { kind: 'result' }>((resolve, reject) => {
      const s = seq++;
      pending.set(s, { resolve, reject });
      const copy = pixels.slice(); // transferable, and the caller keeps its buffer
      w.postMessage({ seq: s, pixels: copy, n, side } satisfies WorkerRequest, [copy.buffer]);
    });

  const extract = async (pixels: Uint8Array, n: number, side: number): Promise<Features> => {
    const frame = side * side * 3;
    if (pixels.length !== n * frame) throw new Error(`expected ${n}×${side}×${side}×3 bytes, got ${pixels.length}`);
    const share = Math.ceil(n / count);
    const parts = workers
      .map((w, i) => ({ w, start: i * share, size: Math.max(0, Math.min(share, n - i * share)) }))
      .filter((p) => p.size > 0);
    const results = await Promise.all(parts.map((p) => ask(p.w, pixels.subarray(p.start * frame, (p.start + p.size) * frame), p.size, side)));
    const embedding = new Float32Array(n * info.embeddingDim);
    const shallow = new Float32Array(n * info.shallowDim);
    results.forEach((r, i) => {
      embedding.set(r.embedding, parts[i]!.start * info.embeddingDim);
      shallow.set(r.shallow, parts[i]!.start * info.shallowDim);
    });
    return { n, embedding, shallow };
  };

  return {
    id,
    runtime: info.runtime,
    cacheKey: info.cacheKey,
    workers: count,
    inputSize: info.inputSize,
    embeddingDim: info.embeddingDim,
    shallowDim: info.shallowDim,
    shallowShape: info.shallowShape,
    extract,
    async extractTensor(images) {
      const [n, h, w] = images.shape;
      if (h !== w) throw new Error(`parallel extraction takes square images, got ${h}×${w}`);
      const data = await images.data();
      return extract(Uint8Array.from(data, (v) => Math.max(0, Math.min(255, Math.round(v)))), n, h);
    },
    dispose() {
      failAll(new Error('extractor disposed'));
      for (const w of workers) void w.terminate();
    },
  };
}
