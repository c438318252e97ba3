/**
 * Seeded pseudo-random numbers whose whole state is four 32-bit words, so a training run can checkpoint it and a
 * resumed run draws exactly the numbers the uninterrupted run would have drawn. Generator: xoshiro128** (Blackman &
 * Vigna), seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s: Uint32Array;
  /** Second normal deviate from the last Box–Muller pair; part of the state. */
  private spareNormal: number | null = null;

  constructor(seed: number | string = 0) {
    const mix = splitmix32(typeof seed === 'string' ? hashString(seed) : seed);
    this.s = new Uint32Array([mix(), mix(), mix(), mix()]);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  static fromState(state: RngState | { words: RngState; spareNormal: number | null }): Rng {
    const rng = new Rng(0);
    if (Array.isArray(state)) {
      rng.s = new Uint32Array(state);
    } else {
      rng.s = new Uint32Array(state.words);
      rng.spareNormal = state.spareNormal;
    }
    return rng;
  }

  /** JSON-safe snapshot; `Rng.fromState(r.state())` continues the same sequence. */
  state(): { words: RngState; spareNormal: number | null } {
    return { words: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spareNormal: this.spareNormal };
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    let s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }

  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a, so string seeds (e.g. "init:conv1") give stable streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
