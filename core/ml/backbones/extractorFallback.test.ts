import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { sharedDir } from '../../paths.js';
import { createFeatureExtractor } from './extractor.js';
import { initBackend } from '../runtime/backend.js';

// onnxruntime-node has binaries for the common desktop platforms only; elsewhere its session cannot be created.
vi.mock('./onnx/session.js', () => ({
  OnnxFeatureSession: {
    create: async () => {
      throw new Error('onnxruntime-node: no binary for this platform');
    },
  },
}));

const ID = 'mobilenet_v2_1.0_224_int8_tflite';
const dir = path.join(sharedDir(), 'models', ID);

describe('runtime auto', () => {
  it('falls back to the TF.js graph when onnxruntime cannot start', async () => {
    await initBackend('wasm');
    const ex = await createFeatureExtractor(ID, { dir, inputSize: 64 });
    expect(ex.runtime).toBe('tfjs');
    const f = await ex.extract(new Uint8Array(64 * 64 * 3).fill(90), 1, 64);
    expect(f.embedding).toHaveLength(1280);
    ex.dispose();
  });

  it('does not hide the failure when onnx was asked for', async () => {
    await expect(createFeatureExtractor(ID, { dir, inputSize: 64, runtime: 'onnx' })).rejects.toThrow(/no binary/);
  });
});
