import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { tf } from './tf.js';
import { loadWebGpu, type GpuAdapterDescription } from './webgpuAdapter.js';
import { probeWebGpuAdapter } from './webgpuProbe.js';
import { guardWasmAllocations } from './memory.js';

export type BackendPreference = 'auto' | 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendKind = 'gpu' | 'native' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** TF.js backend name as registered with the engine ('tensorflow', 'wasm', 'cpu'). */
  name: string;
  kind: BackendKind;
  /** Threads one op may use (what a progress line or a benchmark should report). */
  threads: number;
  /** Why the earlier candidates were skipped, and anything else worth showing to the user. */
  notes: string[];
  /** The device in plain words, for Settings and run summaries ("Graphics card: … (WebGPU)" / "Processor (…)"). */
  device: string;
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** How each backend's package is loaded; injectable so the fallback chain can be tested without the native packages. */
export interface BackendLoaders {
  tfjsNodeGpu(): Promise<unknown>;
  tfjsNode(): Promise<unknown>;
  /** Dawn's `navigator.gpu` for Node and the TF.js WebGPU backend; resolves to the adapter Dawn picked. */
  webgpu(): Promise<GpuAdapterDescription>;
  /** The adapter Dawn would pick, asked without loading Dawn here (webgpuProbe.ts): what 'auto' looks at first. */
  webgpuProbe(): Promise<GpuAdapterDescription>;
  wasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')>;
  cpu(): Promise<unknown>;
}

// Module specifiers held in variables so TypeScript does not insist on the optional native packages' types.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';

export const defaultLoaders: BackendLoaders = {
  tfjsNodeGpu: () => import(TFJS_NODE_GPU),
  tfjsNode: () => import(TFJS_NODE),
  webgpu: () => loadWebGpu(),
  webgpuProbe: () => probeWebGpuAdapter(),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

export function parseBackendPreference(value: string | undefined): BackendPreference | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new Error(`unknown backend "${value}" (expected one of ${BACKEND_PREFERENCES.join(', ')})`);
}

/**
 * Directory holding the wasm binaries, found through Node's resolver so it also works when the app is packaged
 * (node_modules inside an asar-unpacked resources dir) rather than only from the repository checkout.
 */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist') + path.sep;
}

let current: BackendInfo | undefined;
let wasmKernelsRegistered = false;

/** The backend chosen by the last successful `initBackend` call. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

interface InitOptions {
  loaders?: Partial<BackendLoaders>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Picks and activates a TF.js backend. An explicit preference (argument, else `PHOTOCLUSTER_BACKEND`) must work or
 * this throws; 'auto' walks tensorflow-gpu → tensorflow → wasm → cpu and records why each earlier one was skipped.
 */
export async function initBackend(preference?: BackendPreference, opts: InitOptions = {}): Promise<BackendInfo> {
  const loaders: BackendLoaders = { ...defaultLoaders, ...opts.loaders };
  const env = opts.env ?? process.env;
  const chosen = preference && preference !== 'auto' ? preference : parseBackendPreference(env.PHOTOCLUSTER_BACKEND) ?? 'auto';
  const chain: Exclude<BackendPreference, 'auto'>[] = chosen === 'auto' ? ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] : [chosen];
  const notes: string[] = [];
  // Silences TF.js's console banners ("install tfjs-node", kernel re-registration) that would pollute CLI output.
  tf.enableProdMode();
  for (const candidate of chain) {
    try {
      const info = await activate(candidate, loaders, chosen === 'auto');
      const allNotes = [...notes, ...info.notes];
      const { adapter: _adapter, ...rest } = info;
      current = { ...rest, notes: allNotes, device: describeDevice(info, notes) };
      return current;
    } catch (err) {
      const message = `${candidate} unavailable: ${firstLine(err)}`;
      if (chosen !== 'auto') throw new Error(message);
      notes.push(message);
    }
  }
  throw new Error(`no TF.js backend could be started (${notes.join('; ')})`);
}

export type Activated = Omit<BackendInfo, 'device'> & { adapter?: string };

async function activate(candidate: Exclude<BackendPreference, 'auto'>, loaders: BackendLoaders, auto: boolean): Promise<Activated> {
  switch (candidate) {
    case 'tensorflow-gpu':
      await loaders.tfjsNodeGpu();
      await setBackendOrThrow('tensorflow');
      return { name: 'tensorflow', kind: 'gpu', threads: os.cpus().length, notes: ['libtensorflow with CUDA (tfjs-node-gpu)'], adapter: 'NVIDIA GPU (CUDA)' };
    case 'webgpu': {
      // A software adapter (SwiftShader, llvmpipe, Dawn's fallback) computes on the processor, far slower than wasm:
      // `auto` must not pick it, but an explicit request may (tests and CI run the GPU code path on one). `auto` asks
      // in a child process first, so that on a machine without a card the drivers' complaints stay out of our output.
      if (auto) {
        const probed = await loaders.webgpuProbe();
        if (probed.software) throw new Error(`only a software graphics adapter was found (${probed.name})`);
      }
      const adapter = await loaders.webgpu();
      if (auto && adapter.software) throw new Error(`only a software graphics adapter was found (${adapter.name})`);
      await setBackendOrThrow('webgpu');
      return { name: 'webgpu', kind: 'gpu', threads: 1, notes: [`WebGPU (Dawn) on ${adapter.name}${adapter.software ? ' — a software adapter: correct but slow' : ''}`], adapter: adapter.name };
    }
    case 'tensorflow':
      await loaders.tfjsNode();
      await setBackendOrThrow('tensorflow');
      return { name: 'tensorflow', kind: 'native', threads: os.cpus().length, notes: ['libtensorflow on the CPU (tfjs-node)'] };
    case 'wasm': {
      const wasm = await loaders.wasm();
      wasm.setWasmPaths(wasmBinaryDir());
      await setBackendOrThrow('wasm');
      if (!wasmKernelsRegistered) {
        const { registerWasmKernels } = await import('./wasmKernels.js');
        registerWasmKernels();
        wasmKernelsRegistered = true;
      }
      guardWasmAllocations();
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return { name: 'wasm', kind: 'wasm', threads: wasm.getThreadsCount(), notes: [simd ? 'wasm with SIMD' : 'wasm without SIMD'] };
    }
    case 'cpu':
      await loaders.cpu();
      await setBackendOrThrow('cpu');
      return { name: 'cpu', kind: 'cpu', threads: 1, notes: ['plain JavaScript kernels (slow; for tests and as a last resort)'] };
  }
}

async function setBackendOrThrow(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/**
 * "Graphics card: NAME (WebGPU)" or "Processor (no usable graphics card: WHY)" — what Settings and the run summary
 * show; `skipped` are the notes of the GPU candidates that were passed over.
 */
export function describeDevice(info: Pick<Activated, 'name' | 'kind' | 'adapter'>, skipped: string[]): string {
  if (info.kind === 'gpu') return `Graphics card: ${info.adapter ?? 'unknown'} (${info.name === 'webgpu' ? 'WebGPU' : 'CUDA'})`;
  const why = skipped.filter((n) => /^(tensorflow-gpu|webgpu) unavailable: /.test(n)).map((n) =>
    n
      .replace(/^tensorflow-gpu unavailable: /, 'CUDA: ')
      .replace(/^webgpu unavailable: /, 'WebGPU: ')
      .replace(/Cannot find (package|module) .*/, 'not installed'),
  );
  return why.length ? `Processor (no usable graphics card: ${why.join('; ')})` : 'Processor';
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
