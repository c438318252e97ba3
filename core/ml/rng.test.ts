import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('continues exactly from a saved state, including a pending normal deviate', () => {
    const a = new Rng('resume');
    a.normal(); // leaves the second Box–Muller value pending
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = [a.normal(), a.float(), a.int(1000), a.normal()];
    const b = Rng.fromState(saved);
    expect([b.normal(), b.float(), b.int(1000), b.normal()]).toEqual(expected);
  });

  it('draws floats in [0,1), ints in range, and roughly uniform', () => {
    const r = new Rng(7);
    const counts = new Array(10).fill(0);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 20000; i++) {
      const f = r.float();
      lo = Math.min(lo, f);
      hi = Math.max(hi, f);
      counts[r.int(10)]++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('gives standard normal deviates', () => {
    const r = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutes all indices exactly once', () => {
    const p = new Rng(1).permutation(100);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
