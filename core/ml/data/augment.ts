import { tf } from '../runtime/tf.js';
import type { Tensor4D } from '../runtime/tf.js';
import type { Rng } from '../rng.js';

/**
 * The local-robustness transform G(x) of DCCM: small random rotation, shift, zoom, horizontal flip and colour
 * jitter, applied to a whole batch on the backend in one sampling pass (tf.image.transform). Ranges follow the
 * reference code's Keras ImageDataGenerator: rotation ±20°, shift ±18 %, zoom 0.85–1.15 (x and y independently),
 * horizontal flip, channel shift ±0.1 (here drawn per channel, i.e. colour jitter), edges filled with the nearest
 * pixel. Every parameter is drawn from the given seeded generator in a fixed order, so a batch's augmentation is a
 * pure function of the generator state.
 */
export interface AugmentConfig {
  rotationDeg: number;
  shift: number;
  zoom: [number, number];
  flip: boolean;
  channelShift: number;
}

export const DCCM_AUGMENT: AugmentConfig = { rotationDeg: 20, shift: 0.18, zoom: [0.85, 1.15], flip: true, channelShift: 0.1 };

export interface AugmentParams {
  /** Row-major [N, 8] projective transforms mapping output pixel (x, y) to input coordinates. */
  transforms: Float32Array;
  /** [N, 3] additive per-channel shifts. */
  channelShifts: Float32Array;
  flipped: boolean[];
}

/** Draws the parameters for `n` images of side `height`×`width`. */
export function drawAugmentParams(n: number, height: number, width: number, rng: Rng, cfg: AugmentConfig = DCCM_AUGMENT): AugmentParams {
  const transforms = new Float32Array(n * 8);
  const channelShifts = new Float32Array(n * 3);
  const flipped: boolean[] = [];
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let i = 0; i < n; i++) {
    const flip = cfg.flip && rng.bernoulli(0.5);
    const theta = (rng.uniform(-cfg.rotationDeg, cfg.rotationDeg) * Math.PI) / 180;
    const tx = rng.uniform(-cfg.shift, cfg.shift) * width;
    const ty = rng.uniform(-cfg.shift, cfg.shift) * height;
    const zx = rng.uniform(cfg.zoom[0], cfg.zoom[1]);
    const zy = rng.uniform(cfg.zoom[0], cfg.zoom[1]);
    for (let c = 0; c < 3; c++) channelShifts[i * 3 + c] = rng.uniform(-cfg.channelShift, cfg.channelShift);
    flipped.push(flip);
    // Input coordinate of output pixel (x, y), about the image centre: in = c + R(θ)·Z·F·(out − c) + t,
    // where F negates x when flipped (exact: it maps pixel centres onto pixel centres).
    const f = flip ? -1 : 1;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const a0 = cos * zx * f;
    const a1 = -sin * zy;
    const b0 = sin * zx * f;
    const b1 = cos * zy;
    transforms.set([a0, a1, cx + tx - a0 * cx - a1 * cy, b0, b1, cy + ty - b0 * cx - b1 * cy, 0, 0], i * 8);
  }
  return { transforms, channelShifts, flipped };
}

/** Applies drawn parameters to a batch of images in [0, 1] (NHWC, 3 channels). */
export function applyAugment(images: Tensor4D, params: AugmentParams): Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const transforms = tf.tensor2d(params.transforms, [n, 8]);
    // tfjs-backend-cpu 4.22's Transform returns from inside its batch loop, leaving every image after the first
    // filled with zeros; on that backend warp one image at a time.
    const warped =
      tf.getBackend() === 'cpu' && n > 1
        ? tf.concat(Array.from({ length: n }, (_, i) => tf.image.transform(tf.slice(images, i, 1), tf.slice(transforms, i, 1), 'bilinear', 'nearest')))
        : tf.image.transform(images, transforms, 'bilinear', 'nearest');
    const shifted = tf.add(warped, tf.tensor4d(params.channelShifts, [n, 1, 1, 3]));
    return tf.clipByValue(shifted, 0, 1) as Tensor4D;
  });
}

/** Draw and apply in one go. */
export function augmentBatch(images: Tensor4D, rng: Rng, cfg: AugmentConfig = DCCM_AUGMENT): Tensor4D {
  const [n, h, w] = images.shape;
  return applyAugment(images, drawAugmentParams(n, h, w, rng, cfg));
}
