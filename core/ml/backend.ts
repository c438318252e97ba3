import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { tf } from './tf.js';

export type BackendPreference = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendKind = 'gpu' | 'native' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** TF.js backend name as registered with the engine ('tensorflow', 'wasm', 'cpu'). */
  name: string;
  kind: BackendKind;
  /** Threads one op may use (what a progress line or a benchmark should report). */
  threads: number;
  /** Why the earlier candidates were skipped, and anything else worth showing to the user. */
  notes: string[];
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** How each backend's package is loaded; injectable so the fallback chain can be tested without the native packages. */
export interface BackendLoaders {
  tfjsNodeGpu(): Promise<unknown>;
  tfjsNode(): Promise<unknown>;
  wasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')>;
  cpu(): Promise<unknown>;
}

// Module specifiers held in variables so TypeScript does not insist on the optional native packages' types.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';

export const defaultLoaders: BackendLoaders = {
  tfjsNodeGpu: () => import(TFJS_NODE_GPU),
  tfjsNode: () => import(TFJS_NODE),
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
  const chain: Exclude<BackendPreference, 'auto'>[] = chosen === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] : [chosen];
  const notes: string[] = [];
  // Silences TF.js's console banners ("install tfjs-node", kernel re-registration) that would pollute CLI output.
  tf.enableProdMode();
  for (const candidate of chain) {
    try {
      const info = await activate(candidate, loaders);
      current = { ...info, notes: [...notes, ...info.notes] };
      return current;
    } catch (err) {
      const message = `${candidate} unavailable: ${firstLine(err)}`;
      if (chosen !== 'auto') throw new Error(message);
      notes.push(message);
    }
  }
  throw new Error(`no TF.js backend could be started (${notes.join('; ')})`);
}

async function activate(candidate: Exclude<BackendPreference, 'auto'>, loaders: BackendLoaders): Promise<BackendInfo> {
  switch (candidate) {
    case 'tensorflow-gpu':
      await loaders.tfjsNodeGpu();
      await setBackendOrThrow('tensorflow');
      return { name: 'tensorflow', kind: 'gpu', threads: os.cpus().length, notes: ['libtensorflow with CUDA (tfjs-node-gpu)'] };
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

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
