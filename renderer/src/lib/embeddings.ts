/** Decodes the contract's base64 little-endian float32 rows (EmbeddingSet.data). */
export function decodeFloat32Base64(b64: string, expectedLength?: number): Float32Array {
  const bin = atob(b64);
  if (bin.length % 4 !== 0) throw new Error(`embedding data is ${bin.length} bytes, not a multiple of 4`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bin.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new Error(`expected ${expectedLength} embedding values, got ${out.length}`);
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so the same library gives the same map layout every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
