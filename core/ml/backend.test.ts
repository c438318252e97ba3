import { describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import { initBackend, parseBackendPreference, wasmBinaryDir, type BackendLoaders } from './backend.js';
import fs from 'node:fs';
import path from 'node:path';

const missing = (name: string) => async (): Promise<never> => {
  throw new Error(`Cannot find package '${name}'`);
};
const noNative: Partial<BackendLoaders> = {
  tfjsNodeGpu: missing('@tensorflow/tfjs-node-gpu'),
  tfjsNode: missing('@tensorflow/tfjs-node'),
};

describe('initBackend', () => {
  it('falls back from the native packages to wasm, saying why', async () => {
    const info = await initBackend('auto', { loaders: noNative, env: {} });
    expect(info).toMatchObject({ name: 'wasm', kind: 'wasm' });
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.notes.join('\n')).toMatch(/tensorflow-gpu unavailable: Cannot find package '@tensorflow\/tfjs-node-gpu'/);
    expect(info.notes.join('\n')).toMatch(/tensorflow unavailable/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls back to cpu when wasm cannot start either', async () => {
    const info = await initBackend('auto', { loaders: { ...noNative, wasm: missing('@tensorflow/tfjs-backend-wasm') }, env: {} });
    expect(info).toMatchObject({ name: 'cpu', kind: 'cpu', threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('fails cleanly when an explicitly requested backend is missing', async () => {
    await expect(initBackend('tensorflow', { loaders: noNative, env: {} })).rejects.toThrow(/tensorflow unavailable: Cannot find package/);
  });

  it('honours PHOTOCLUSTER_BACKEND unless a preference is passed', async () => {
    expect((await initBackend(undefined, { env: { PHOTOCLUSTER_BACKEND: 'cpu' } })).name).toBe('cpu');
    expect((await initBackend('wasm', { env: { PHOTOCLUSTER_BACKEND: 'cpu' } })).name).toBe('wasm');
    await expect(initBackend(undefined, { env: { PHOTOCLUSTER_BACKEND: 'gpu-please' } })).rejects.toThrow(/unknown backend "gpu-please"/);
  });

  it('finds the wasm binaries through the module resolver', () => {
    expect(fs.existsSync(path.join(wasmBinaryDir(), 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
    expect(parseBackendPreference('')).toBeUndefined();
  });
});
