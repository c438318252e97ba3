import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../runtime/tf.js';
import type { Tensor4D } from '../runtime/tf.js';
import { initBackend } from '../runtime/backend.js';
import { Rng } from '../rng.js';
import { applyAugment, augmentBatch, drawAugmentParams, DCCM_AUGMENT, type AugmentConfig } from './augment.js';

const NONE: AugmentConfig = { rotationDeg: 0, shift: 0, zoom: [1, 1], flip: false, channelShift: 0 };

function images(n: number, size: number, seed: number): Tensor4D {
  const r = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * size * size * 3 }, () => r.float()), [n, size, size, 3]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`augmentations on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('is deterministic under a seed and varies between seeds', () => {
      const x = images(4, 12, 1);
      const a = augmentBatch(x, new Rng(11)).dataSync();
      const b = augmentBatch(x, new Rng(11)).dataSync();
      const c = augmentBatch(x, new Rng(12)).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
    });

    it('with every range at zero, is the identity', () => {
      const x = images(3, 10, 2);
      const y = augmentBatch(x, new Rng(1), NONE);
      expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    });

    it('flips exactly the images drawn for flipping', () => {
      const x = images(8, 9, 3);
      const params = drawAugmentParams(8, 9, 9, new Rng(4), { ...NONE, flip: true });
      expect(params.flipped.some((f) => f)).toBe(true);
      expect(params.flipped.some((f) => !f)).toBe(true);
      const y = applyAugment(x, params);
      const mirrored = tf.reverse(x, 2);
      params.flipped.forEach((flipped, i) => {
        const got = tf.slice(y, i, 1).dataSync();
        const want = tf.slice(flipped ? mirrored : x, i, 1).dataSync();
        expect(Array.from(got)).toEqual(Array.from(want));
      });
    });

    it('shifts each channel by its drawn amount and clips to [0, 1]', () => {
      const x = tf.fill([2, 4, 4, 3], 0.95) as Tensor4D;
      const params = drawAugmentParams(2, 4, 4, new Rng(8), { ...NONE, channelShift: 0.1 });
      const y = applyAugment(x, params).arraySync();
      for (let i = 0; i < 2; i++) {
        for (let c = 0; c < 3; c++) {
          const want = Math.min(1, 0.95 + params.channelShifts[i * 3 + c]!);
          expect(y[i]![2]![1]![c]).toBeCloseTo(want, 6);
        }
      }
    });

    it('keeps the paper ranges: a small rotation/shift/zoom changes pixels but keeps the image mostly in place', () => {
      const x = images(6, 16, 5);
      const y = augmentBatch(x, new Rng(3), DCCM_AUGMENT);
      expect(y.shape).toEqual(x.shape);
      const v = y.dataSync();
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThanOrEqual(1);
      expect(Array.from(v)).not.toEqual(Array.from(x.dataSync()));
    });
  });
}
