import { tf } from '../runtime/tf.js';
import type { Tensor, Tensor4D } from '../runtime/tf.js';
import type { Rng } from '../rng.js';
import type { ImageSource } from './dataset.js';
import { augmentBatch, DCCM_AUGMENT, type AugmentConfig } from './augment.js';

/**
 * Where the trainer gets model inputs: the un-augmented rows of a big batch and augmented views of them. Images
 * (`ImageViews`) augment with tensor ops; a feature-space model can instead return pre-computed augmented features
 * from a cache, without any change to the trainer.
 */
export interface ViewProvider {
  readonly count: number;
  /** Shape of one model input. */
  readonly inputShape: number[];
  /** Un-augmented inputs of these items, [n, ...inputShape]; the trainer disposes it. */
  load(indices: number[]): Promise<Tensor>;
  /** Rows of a loaded batch, un-augmented. */
  original(loaded: Tensor, rows: number[]): Tensor;
  /** One augmented view of rows of a loaded batch; `indices` are the dataset items those rows hold. */
  augmented(loaded: Tensor, rows: number[], indices: number[], rng: Rng): Promise<Tensor> | Tensor;
}

/** Images from an ImageSource, resized on the backend to the network's input size, values in [0, 1]. */
export class ImageViews implements ViewProvider {
  readonly inputShape: number[];
  /** Images per upload when loading (bounds the float32 copy at the stored size). */
  private readonly chunk = 256;

  constructor(readonly source: ImageSource, readonly inputSize: number, readonly augment: AugmentConfig = DCCM_AUGMENT) {
    this.inputShape = [inputSize, inputSize, 3];
  }

  get count(): number {
    return this.source.count;
  }

  async load(indices: number[]): Promise<Tensor4D> {
    const parts: Tensor4D[] = [];
    try {
      for (let start = 0; start < indices.length; start += this.chunk) {
        const ids = indices.slice(start, start + this.chunk);
        const bytes = await this.source.read(ids);
        parts.push(resizeImages(bytes, ids.length, this.source.size, this.inputSize));
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts);
    } finally {
      if (parts.length > 1) tf.dispose(parts);
    }
  }

  original(loaded: Tensor, rows: number[]): Tensor4D {
    return tf.gather(loaded, rows) as Tensor4D;
  }

  augmented(loaded: Tensor, rows: number[], _indices: number[], rng: Rng): Tensor4D {
    return tf.tidy(() => augmentBatch(tf.gather(loaded, rows) as Tensor4D, rng, this.augment));
  }
}

/**
 * uint8 NHWC squares of side `from` → float32 in [0, 1] at side `to`. Integer factors use box averaging (exact area
 * downsampling, e.g. 96 → 32); other sizes use bilinear interpolation with half-pixel centres.
 */
export function resizeImages(bytes: Uint8Array, n: number, from: number, to: number): Tensor4D {
  return tf.tidy(() => {
    const floats = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) floats[i] = bytes[i]! / 255;
    const x = tf.tensor4d(floats, [n, from, from, 3]);
    if (from === to) return x;
    if (from % to === 0) return tf.avgPool(x, from / to, from / to, 'valid');
    return tf.image.resizeBilinear(x, [to, to], false, true);
  });
}
