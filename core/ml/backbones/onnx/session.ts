// onnxruntime-node session over an exported backbone feature graph.
import * as ort from 'onnxruntime-node';
import type { Graph } from '../graph.js';
import { exportFeatureOnnx, type FeatureTaps } from './export.js';
import { firstWorkingProvider, providerCandidates, providerMissing, type OnnxProvider } from './providers.js';

export class OnnxFeatureSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly side: number,
    /** The execution provider running the session, and why better ones were skipped. */
    readonly provider: OnnxProvider,
    readonly skippedProviders: string[],
  ) {}

  static async create(graph: Graph, taps: FeatureTaps, side: number, threads = 1, candidates: OnnxProvider[] = providerCandidates()): Promise<OnnxFeatureSession> {
    const bytes = exportFeatureOnnx(graph, taps, side);
    const choice = await firstWorkingProvider(candidates, (provider) =>
      ort.InferenceSession.create(bytes, {
        // 'cpu' listed last too: nodes a GPU provider does not support still run.
        executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
      }),
      (provider) => providerMissing(provider),
    );
    return new OnnxFeatureSession(choice.session, side, choice.provider, choice.skipped);
  }

  /** `input`: preprocessed NHWC floats of n images at `side`. */
  async run(input: Float32Array, n: number): Promise<{ n: number; embedding: Float32Array; shallow: Float32Array }> {
    const feeds = { input: new ort.Tensor('float32', input, [n, this.side, this.side, 3]) };
    const out = await this.session.run(feeds);
    try {
      return { n, embedding: Float32Array.from(out.embedding!.data as Float32Array), shallow: Float32Array.from(out.shallow!.data as Float32Array) };
    } finally {
      out.embedding?.dispose();
      out.shallow?.dispose();
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
