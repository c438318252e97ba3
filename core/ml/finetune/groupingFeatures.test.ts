import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend.js';
import { l2Normalize } from '../rows.js';
import { centred, groupingFeatures } from './groupingFeatures.js';

const dot = (x: Float32Array, i: number, y: Float32Array, j: number, d: number) => {
  let s = 0;
  for (let c = 0; c < d; c++) s += x[i * d + c]! * y[j * d + c]!;
  return s;
};

describe('centred', () => {
  it('takes away what all photos share, so two photos alike only in that become opposites', () => {
    // Both rows share their first component (what every positive feature vector shares) and differ in the rest.
    const unit = l2Normalize(Float32Array.from([1, 1, 0, 1, 0, 1]), 2, 3);
    expect(dot(unit, 0, unit, 1, 3)).toBeCloseTo(0.5, 5);
    const c = centred(unit, 2, 3);
    expect(dot(c, 0, c, 0, 3)).toBeCloseTo(1, 5);
    expect(dot(c, 0, c, 1, 3)).toBeCloseTo(-1, 5);
    expect(c[0]).toBeCloseTo(0, 6);
  });

  it('keeps a photo as it was where nothing is left once the mean is taken away', () => {
    const unit = l2Normalize(Float32Array.from([3, 4]), 1, 2);
    expect(Array.from(centred(unit, 1, 2))).toEqual(Array.from(unit));
    // Two identical photos: both equal the mean.
    const twins = l2Normalize(Float32Array.from([1, 2, 1, 2]), 2, 2);
    expect(Array.from(centred(twins, 2, 2))).toEqual(Array.from(twins));
  });
});

describe('groupingFeatures', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  // Six photos in 3-d: a tight pair (0, 1), a tight pair (2, 3), and two odd ones that each lie nearest one pair.
  const raw = Float32Array.from([5, 1, 0, 5, 1.1, 0.1, 5, 0, 1, 5, 0.1, 1.1, 5, 0.8, 0.5, 5, 0.45, 0.75]);
  const unit = l2Normalize(raw, 6, 3);

  it('averages each photo half and half with its nearest look-alikes, in the centred space, at unit length', async () => {
    const base = centred(unit, 6, 3);
    const out = await groupingFeatures(unit, 6, 3, 1);
    for (let i = 0; i < 6; i++) expect(dot(out, i, out, i, 3)).toBeCloseTo(1, 5);
    // Photo 0's one nearest look-alike (centred cosine) is photo 1: its row points along c0 + c1.
    const sum = Float32Array.from([0, 1, 2].map((j) => base[j]! + base[3 + j]!));
    const expected = l2Normalize(sum, 1, 3);
    for (let j = 0; j < 3; j++) expect(out[j]).toBeCloseTo(expected[j]!, 5);
  });

  it('pulls an odd photo towards the look-alikes it is nearest to', async () => {
    const base = centred(unit, 6, 3);
    const out = await groupingFeatures(unit, 6, 3, 2);
    // Photo 4 sits between the pairs, nearer the first: averaged, it is more like photo 0 than it was.
    expect(dot(out, 4, out, 0, 3)).toBeGreaterThan(dot(base, 4, base, 0, 3));
    expect(dot(out, 5, out, 2, 3)).toBeGreaterThan(dot(base, 5, base, 2, 3));
  });

  it('only centres a folder too small for look-alikes, and takes no more look-alikes than there are other photos', async () => {
    const one = l2Normalize(Float32Array.from([1, 2, 2]), 1, 3);
    expect(Array.from(await groupingFeatures(one, 1, 3))).toEqual(Array.from(centred(one, 1, 3)));
    const three = unit.slice(0, 9);
    const out = await groupingFeatures(three, 3, 3, 5);
    for (let i = 0; i < 3; i++) expect(dot(out, i, out, i, 3)).toBeCloseTo(1, 5);
  });
});
