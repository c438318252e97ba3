import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from './tf.js';
import type { Tensor } from './tf.js';
import { initBackend } from './backend.js';
import { Rng } from '../rng.js';

/**
 * The kernels registered for wasm against the cpu backend's reference implementations: each case is computed on
 * both backends from the same host arrays and compared by relative error ‖a − b‖ / ‖b‖.
 */
function randomArray(shape: number[], rng: Rng): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

async function onBoth(f: () => Tensor | Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const run = (): Float32Array[] => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return values;
  };
  await tf.setBackend('cpu');
  const ref = run();
  await tf.setBackend('wasm');
  return [run(), ref];
}

function relError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

describe('wasm convolution gradients match the cpu backend', () => {
  const rng = new Rng(2024);
  const cases: Array<{ x: number[]; f: number[]; stride: number; pad: 'same' | 'valid' }> = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (let t = 0; t < 3; t++) {
        const k = 1 + rng.int(4);
        const h = k + rng.int(8);
        const w = k + rng.int(8);
        cases.push({ x: [1 + rng.int(3), h, w, 1 + rng.int(6)], f: [k, 1 + rng.int(4), 1 + rng.int(6), 1 + rng.int(6)], stride, pad });
        // keep the filter width within the input width
        cases[cases.length - 1]!.f[1] = Math.min(cases[cases.length - 1]!.f[1]!, w);
        cases[cases.length - 1]!.f[2] = cases[cases.length - 1]!.x[3]!;
      }
    }
  }

  for (const c of cases) {
    it(`x ${c.x.join('×')}, filter ${c.f.join('×')}, stride ${c.stride}, ${c.pad}`, async () => {
      const xv = randomArray(c.x, rng);
      const fv = randomArray(c.f, rng);
      const outShape = tf.tidy(() => {
        const zx: Tensor = tf.zeros(c.x);
        const zf: Tensor = tf.zeros(c.f);
        return tf.conv2d(zx as tf.Tensor4D, zf as tf.Tensor4D, c.stride, c.pad).shape;
      });
      const dyv = randomArray(outShape, rng);
      const [got, ref] = await onBoth(() => {
        const g = tf.grads((x: Tensor, f: Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad), tf.tensor(dyv, outShape))));
        return g([tf.tensor(xv, c.x), tf.tensor(fv, c.f)]);
      });
      expect(relError(got[0]!, ref[0]!)).toBeLessThan(1e-4); // Conv2DBackpropInput
      expect(relError(got[1]!, ref[1]!)).toBeLessThan(1e-4); // Conv2DBackpropFilter
    });
  }
});

describe('other replaced wasm kernels match the cpu backend', () => {
  const rng = new Rng(7);

  it('BatchMatMul with transposed operands', async () => {
    const a = randomArray([2, 5, 7], rng);
    const b = randomArray([2, 5, 3], rng);
    const c = randomArray([3, 7], rng);
    const [got, ref] = await onBoth(() => [
      tf.matMul(tf.tensor(a, [2, 5, 7]), tf.tensor(b, [2, 5, 3]), true, false),
      tf.matMul(tf.tensor(b, [2, 5, 3]), tf.tensor(a, [2, 5, 7]), true, false),
      tf.matMul(tf.reshape(tf.tensor(a, [2, 5, 7]), [10, 7]), tf.tensor(c, [3, 7]), false, true),
      tf.matMul(tf.tensor(c, [3, 7]), tf.reshape(tf.tensor(b, [2, 5, 3]), [10, 3]), true, true),
    ]);
    got.forEach((g, i) => expect(relError(g, ref[i]!)).toBeLessThan(1e-5));
  });

  it('BatchMatMul with one buffer as the right operand under two shapes (XNNPACK operator cache)', async () => {
    const w = randomArray([12], rng);
    const x = randomArray([2, 4], rng);
    const y = randomArray([3, 3], rng);
    const [got, ref] = await onBoth(() => {
      const shared = tf.tensor(w, [4, 3]);
      return [tf.matMul(tf.tensor(x, [2, 4]), shared), tf.matMul(tf.tensor(y, [3, 3]), tf.reshape(shared, [3, 4])), tf.matMul(tf.tensor(x, [2, 4]), shared)];
    });
    got.forEach((g, i) => expect(relError(g, ref[i]!)).toBeLessThan(1e-5));
  });

  it('Sum and Mean over leading axes (and untouched other reductions)', async () => {
    const x = randomArray([3, 4, 5, 6], rng);
    const [got, ref] = await onBoth(() => {
      const t = tf.tensor(x, [3, 4, 5, 6]);
      return [tf.sum(t, [0, 1, 2]), tf.mean(t, [0, 1]), tf.sum(t, 0, true), tf.mean(t, [1, 2]), tf.sum(t, 3), tf.sum(t)];
    });
    got.forEach((g, i) => expect(relError(g, ref[i]!)).toBeLessThan(1e-5));
  });

  it('MaxPoolGrad, including overlapping windows and same padding', async () => {
    const x = randomArray([2, 7, 6, 3], rng);
    const [got, ref] = await onBoth(() => [
      tf.grad((t: Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), 1.5)))(tf.tensor(x, [2, 7, 6, 3])),
      tf.grad((t: Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same')))(tf.tensor(x, [2, 7, 6, 3])),
    ]);
    got.forEach((g, i) => expect(relError(g, ref[i]!)).toBeLessThan(1e-6));
  });
});
