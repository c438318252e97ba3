/**
 * Loads Dawn (the npm package `webgpu`) to give Node a `navigator.gpu`, asks it for an adapter, and registers
 * TF.js's WebGPU backend on it. Both packages are optional dependencies: where they cannot load (no prebuilt
 * dawn.node for the platform, no Vulkan/Metal/D3D12 driver) this throws and the caller falls back.
 */
export interface GpuAdapterDescription {
  /** What the driver calls the device ("NVIDIA GeForce RTX 4070", "SwiftShader Device (Subzero)"). */
  name: string;
  /** A CPU emulation (SwiftShader, llvmpipe/lavapipe, WARP, Dawn's fallback adapter): runs, but slowly. */
  software: boolean;
}

// Held in variables so TypeScript does not require the optional packages' types to be installed.
const WEBGPU = 'webgpu';
const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|warp/i;

export function isSoftwareAdapter(info: AdapterInfo, isFallback: boolean): boolean {
  return isFallback || SOFTWARE_NAMES.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

interface AdapterLike {
  info?: AdapterInfo;
  isFallbackAdapter?: boolean;
}

/** What Dawn says about an adapter (GPUAdapterInfo's fields this app reads). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** Why there is no WebGPU where Dawn finds no adapter at all. */
export const NO_ADAPTER = 'no graphics adapter found (no Vulkan, Metal or Direct3D 12 driver Dawn can use)';

/** An adapter as the app names it: the driver's description, else vendor / architecture / device. */
export function describeAdapter(info: AdapterInfo, isFallback: boolean): GpuAdapterDescription {
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
  return { name, software: isSoftwareAdapter(info, isFallback) };
}

let loaded: Promise<GpuAdapterDescription> | undefined;

/** Idempotent: Dawn's instance lives as long as the process, like the TF.js backend registered on it. */
export function loadWebGpu(): Promise<GpuAdapterDescription> {
  loaded ??= load().catch((err: unknown) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}

async function load(): Promise<GpuAdapterDescription> {
  const dawn = (await import(WEBGPU)) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  // TF.js's WebGPU backend looks for the browser's globals (GPUBufferUsage, navigator.gpu, …).
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = g.navigator?.gpu ?? dawn.create([]);
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  const adapter = (await (gpu as { requestAdapter(): Promise<AdapterLike | null> }).requestAdapter()) as AdapterLike | null;
  if (!adapter) throw new Error(NO_ADAPTER);
  await import(TFJS_WEBGPU);
  return describeAdapter(adapter.info ?? {}, adapter.isFallbackAdapter === true);
}
