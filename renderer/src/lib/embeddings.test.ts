import { describe, expect, it } from 'vitest';
import { decodeFloat32Base64, seededRandom } from './embeddings.js';

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe('embedding decoding', () => {
  it('decodes little-endian float32 rows from base64', () => {
    const values = [1.5, -2, 0.25, 3.1415927];
    const b64 = toBase64(new Uint8Array(new Float32Array(values).buffer));
    const out = decodeFloat32Base64(b64, 4);
    expect(out[0]).toBe(1.5);
    expect(out[1]).toBe(-2);
    expect(out[3]).toBeCloseTo(3.1415927, 6);
    expect(() => decodeFloat32Base64(b64, 3)).toThrow(/expected 3/);
    expect(() => decodeFloat32Base64(toBase64(new Uint8Array([1, 2, 3])))).toThrow(/multiple of 4/);
  });

  it('makes a repeatable random sequence in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
    expect(seededRandom(43)()).not.toBe(xs[0]);
  });
});
