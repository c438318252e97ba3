// Sets up one TF.js backend for the backbone runtimes, their tests and benches: wasm (resolved from node_modules,
// never fetched) with a fallback to the plain cpu backend. The project's full backend picker (native → wasm → cpu)
// lives in core/ml/backend.ts; this module is the single place the backbone code asks for a backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type TfBackendName = 'wasm' | 'cpu';

let wasmPathsSet = false;

function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

/**
 * Makes `preferred` (default: PHOTOCLUSTER_TF_BACKEND, else wasm) the active TF.js backend, falling back to cpu
 * when it cannot start. Returns the backend in use.
 */
export async function setupTf(preferred: TfBackendName = (process.env.PHOTOCLUSTER_TF_BACKEND as TfBackendName) || 'wasm'): Promise<TfBackendName> {
  if (tf.getBackend() === preferred) return preferred;
  if (preferred === 'wasm') {
    if (!wasmPathsSet) {
      // Node loads the .wasm from disk when the prefix is a path ending in a separator.
      setWasmPaths(wasmDistDir() + path.sep);
      wasmPathsSet = true;
    }
    try {
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}
