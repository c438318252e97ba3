/**
 * The backbone as the ImageNet classifier it was trained as: the layers model's own 1,000-way output, used only to
 * suggest group names (features for grouping come from the extractor, untouched). Top classes per photo.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadLayersModel } from '../backbones/layersModel.js';
import type { ClassScores } from './suggestName.js';

export interface ImageClassifier {
  /** `pixels`: n RGB images of side×side, NHWC uint8. */
  classify(pixels: Uint8Array, n: number, side: number, top?: number): Promise<ClassScores[]>;
  dispose(): void;
}

/** A TF.js layers backbone folder (MobileNet v1: 224 px, inputs scaled to [-1, 1], softmax over 1,000 classes). */
export async function loadImageClassifier(dir: string, inputSize = 224): Promise<ImageClassifier> {
  const model: LayersModel = await loadLayersModel(dir);
  return {
    async classify(pixels, n, side, top = 5) {
      const probs = tf.tidy(() => {
        const x = tf.cast(tf.tensor4d(pixels, [n, side, side, 3], 'int32'), 'float32');
        const resized = side === inputSize ? x : tf.image.resizeBilinear(x, [inputSize, inputSize]);
        const out = model.predict(tf.sub(tf.div(resized, 127.5), 1)) as tf.Tensor2D;
        return out.shape[1] === 1001 ? tf.slice(out, [0, 1], [n, 1000]) : out; // some exports put "background" first
      });
      const { values, indices } = tf.topk(probs, top);
      const [v, i] = [await values.data(), await indices.data()];
      tf.dispose([probs, values, indices]);
      return Array.from({ length: n }, (_, r) => ({ indices: Array.from(i.subarray(r * top, (r + 1) * top)), probs: Array.from(v.subarray(r * top, (r + 1) * top)) }));
    },
    dispose: () => model.dispose(),
  };
}
