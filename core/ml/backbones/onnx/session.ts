// onnxruntime-node session over an exported backbone feature graph.
import * as ort from 'onnxruntime-node';
import type { Graph } from '../graph.js';
import { exportFeatureOnnx, type FeatureTaps } from './export.js';

export class OnnxFeatureSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly side: number,
  ) {}

  static async create(graph: Graph, taps: FeatureTaps, side: number, threads = 1): Promise<OnnxFeatureSession> {
    const bytes = exportFeatureOnnx(graph, taps, side);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
    return new OnnxFeatureSession(session, side);
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
