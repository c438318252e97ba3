/**
 * Which onnxruntime execution providers to try for feature extraction, best first: the platform's GPU providers
 * (CUDA on Linux/Windows, DirectML on Windows, CoreML on macOS), then the CPU. A provider that cannot start (no
 * NVIDIA driver/CUDA libraries, no DirectX 12 device, a build without it) is skipped with its reason, and the CPU
 * always remains. `PHOTOCLUSTER_ONNX_PROVIDER=cpu|cuda|dml|coreml` forces one.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type OnnxProvider = 'cuda' | 'dml' | 'coreml' | 'cpu';

export function providerCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): OnnxProvider[] {
  const forced = env.PHOTOCLUSTER_ONNX_PROVIDER;
  if (forced) {
    if (!['cuda', 'dml', 'coreml', 'cpu'].includes(forced)) throw new Error(`unknown PHOTOCLUSTER_ONNX_PROVIDER "${forced}" (expected cuda, dml, coreml or cpu)`);
    return [forced as OnnxProvider];
  }
  if (platform === 'win32') return ['cuda', 'dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  if (platform === 'linux') return ['cuda', 'cpu'];
  return ['cpu'];
}

export interface ProviderChoice<S> {
  session: S;
  provider: OnnxProvider;
  /** Why each earlier provider was skipped. */
  skipped: string[];
}

/**
 * Why `provider` cannot start before asking onnxruntime, or null when it may. onnxruntime-node's CUDA provider is a
 * separate library its installer fetches only on request; asking for it when it is absent makes onnxruntime print a
 * native error to the terminal before failing, on every machine without it.
 */
export function providerMissing(provider: OnnxProvider, platform: NodeJS.Platform = process.platform, exists: (file: string) => boolean = fs.existsSync): string | null {
  if (provider !== 'cuda') return null;
  const file = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  let dir: string;
  try {
    // The package's entry is dist/index.js; its native libraries live in bin/napi-v6/<platform>/<arch>.
    dir = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', platform, process.arch);
  } catch {
    return 'onnxruntime-node is not installed';
  }
  return exists(path.join(dir, file)) ? null : `onnxruntime's CUDA support is not installed (${file})`;
}

/**
 * Creates a session with the first provider that starts; `create` gets the provider to use on its own. Providers
 * `missing` rules out are skipped with its reason, without asking onnxruntime.
 */
export async function firstWorkingProvider<S>(candidates: OnnxProvider[], create: (provider: OnnxProvider) => Promise<S>, missing: (provider: OnnxProvider) => string | null = () => null): Promise<ProviderChoice<S>> {
  const skipped: string[] = [];
  for (const provider of candidates) {
    const absent = missing(provider);
    if (absent) {
      skipped.push(`${provider}: ${absent}`);
      continue;
    }
    try {
      return { session: await create(provider), provider, skipped };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      skipped.push(`${provider}: ${message}`);
    }
  }
  throw new Error(`no onnxruntime execution provider could start (${skipped.join('; ')})`);
}
