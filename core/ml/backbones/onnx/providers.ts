/**
 * Which onnxruntime execution providers to try for feature extraction, best first: the platform's GPU providers
 * (CUDA on Linux/Windows, DirectML on Windows, CoreML on macOS), then the CPU. A provider that cannot start (no
 * NVIDIA driver/CUDA libraries, no DirectX 12 device, a build without it) is skipped with its reason, and the CPU
 * always remains. `PHOTOCLUSTER_ONNX_PROVIDER=cpu|cuda|dml|coreml` forces one.
 */
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

/** Creates a session with the first provider that starts; `create` gets the provider to use on its own. */
export async function firstWorkingProvider<S>(candidates: OnnxProvider[], create: (provider: OnnxProvider) => Promise<S>): Promise<ProviderChoice<S>> {
  const skipped: string[] = [];
  for (const provider of candidates) {
    try {
      return { session: await create(provider), provider, skipped };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      skipped.push(`${provider}: ${message}`);
    }
  }
  throw new Error(`no onnxruntime execution provider could start (${skipped.join('; ')})`);
}
