import { describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import { describeDevice, initBackend, parseBackendPreference, wasmBinaryDir, type BackendLoaders } from './backend.js';
import fs from 'node:fs';
import { loadWebGpu } from './webgpuAdapter.js';
import { describeProbe, probeWebGpuAdapter } from './webgpuProbe.js';
import { useSwiftShaderUnlessSet } from '../testing/swiftshader.js';

useSwiftShaderUnlessSet();
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

describe('the WebGPU candidate', () => {
  const adapter = (name: string, software: boolean) => async () => ({ name, software });
  const notLoaded = async (): Promise<never> => {
    throw new Error('Dawn was loaded in this process');
  };

  it('is skipped by auto on a software adapter, with the reason in plain words', async () => {
    const info = await initBackend('auto', { loaders: { ...noNative, webgpuProbe: adapter('SwiftShader driver', true), webgpu: notLoaded }, env: {} });
    expect(info.name).toBe('wasm');
    expect(info.notes.join('\n')).toMatch(/webgpu unavailable: only a software graphics adapter was found \(SwiftShader driver\)/);
    expect(info.device).toBe('Processor (no usable graphics card: CUDA: not installed; WebGPU: only a software graphics adapter was found (SwiftShader driver))');
  });

  it('is skipped by auto when Dawn cannot load, saying so', async () => {
    const info = await initBackend('auto', { loaders: { ...noNative, webgpuProbe: missing('webgpu'), webgpu: notLoaded }, env: {} });
    expect(info.device).toBe('Processor (no usable graphics card: CUDA: not installed; WebGPU: not installed)');
  });

  it('is chosen by auto before tensorflow and wasm on a real adapter, named as the graphics card', async () => {
    // Dawn really loads (SwiftShader here); only the adapter's software flag is overridden to stand in for a card.
    const pretend = async () => ({ ...(await loadWebGpu()), name: 'Pretend Card 9000', software: false });
    const info = await initBackend('auto', { loaders: { ...noNative, webgpuProbe: adapter('Pretend Card 9000', false), webgpu: pretend }, env: {} });
    expect(info).toMatchObject({ name: 'webgpu', kind: 'gpu', device: 'Graphics card: Pretend Card 9000 (WebGPU)' });
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('is used when forced even on a software adapter, without asking a child process first', async () => {
    const info = await initBackend(undefined, { loaders: { webgpuProbe: notLoaded }, env: { PHOTOCLUSTER_BACKEND: 'webgpu' } });
    expect(info.name).toBe('webgpu');
    expect(info.notes.join('\n')).toMatch(/software adapter: correct but slow/);
  });

  it('is asked about in a child process that finds what Dawn here finds, and says nothing on our stderr', async () => {
    // SwiftShader (useSwiftShaderUnlessSet above, inherited by the child): a software adapter, named as Dawn names it.
    const here = await loadWebGpu();
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await probeWebGpuAdapter()).toEqual(here);
    } finally {
      process.stderr.write = write;
    }
    expect(written).toEqual([]);
  });

  it("reads the child's report", () => {
    const report = (adapter: object | null) => `warning from a driver\n${JSON.stringify({ adapter })}\n`;
    expect(describeProbe(report({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', fallback: false }))).toEqual({ name: 'NVIDIA GeForce RTX 3060', software: false });
    expect(describeProbe(report({ vendor: 'google', architecture: 'swiftshader', description: '', fallback: false }))).toEqual({ name: 'google swiftshader', software: true });
    expect(describeProbe(report({ vendor: 'intel', description: 'Intel(R) UHD', fallback: true }))).toEqual({ name: 'Intel(R) UHD', software: true });
    expect(() => describeProbe(report(null))).toThrow(/no graphics adapter found/);
    expect(() => describeProbe('Segmentation fault\n')).toThrow(/gave no answer/);
  });

  it('describes the device in plain words', () => {
    expect(describeDevice({ name: 'webgpu', kind: 'gpu', adapter: 'AMD Radeon RX 7800' }, [])).toBe('Graphics card: AMD Radeon RX 7800 (WebGPU)');
    expect(describeDevice({ name: 'wasm', kind: 'wasm' }, [])).toBe('Processor');
    expect(describeDevice({ name: 'wasm', kind: 'wasm' }, ['webgpu unavailable: no graphics adapter found'])).toBe('Processor (no usable graphics card: WebGPU: no graphics adapter found)');
  });

  it('is accepted as a preference', () => {
    expect(parseBackendPreference('webgpu')).toBe('webgpu');
  });
});
