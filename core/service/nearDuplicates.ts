/**
 * Near-duplicate photos (resized, re-encoded, slightly edited copies of one shot) for the user to review.
 *
 * Each photo gets a 64-bit DCT perceptual hash of its cached 96×96 model input; photos whose hashes differ in at
 * most `maxDistance` bits are linked, and linked photos form a group. Finding the links uses multi-index hashing
 * (Norouzi et al., "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012): the 64 bits are cut into
 * four 16-bit chunks, and two hashes within distance d agree within floor(d / 4) bits on at least one chunk, so
 * only photos sharing a nearby chunk value are compared — far from the n² pairs of a full comparison.
 */

export const HASH_INPUT_SIZE = 96;
/** Default link threshold in bits (of 64). Copies measured here differ by ≤ 6; unrelated photos by ~20–44. */
export const DEFAULT_MAX_DISTANCE = 10;

const DCT_SIZE = 32;
/** Coefficients 1..8 in each direction: low frequencies without the DC row and column (which carry brightness). */
const LOW = 8;
const CHUNKS = 4;
const CHUNK_BITS = 16;

/** cos(π (2n + 1) k / 64) for k = 1..8, n = 0..31. */
const COS = (() => {
  const table = new Float64Array(LOW * DCT_SIZE);
  for (let k = 1; k <= LOW; k++) {
    for (let n = 0; n < DCT_SIZE; n++) table[(k - 1) * DCT_SIZE + n] = Math.cos((Math.PI * (2 * n + 1) * k) / (2 * DCT_SIZE));
  }
  return table;
})();

/** Luma of an RGB image, averaged over boxes down to 32×32 (area sampling, so no aliasing). */
function grayscale32(pixels: Uint8Array, width: number, height: number): Float64Array {
  const out = new Float64Array(DCT_SIZE * DCT_SIZE);
  for (let oy = 0; oy < DCT_SIZE; oy++) {
    const y0 = Math.floor((oy * height) / DCT_SIZE);
    const y1 = Math.floor(((oy + 1) * height) / DCT_SIZE);
    for (let ox = 0; ox < DCT_SIZE; ox++) {
      const x0 = Math.floor((ox * width) / DCT_SIZE);
      const x1 = Math.floor(((ox + 1) * width) / DCT_SIZE);
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = (y * width + x) * 3;
          sum += 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!;
        }
      }
      out[oy * DCT_SIZE + ox] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/**
 * The 64-bit perceptual hash (pHash) of an RGB image (`width`×`height`×3 bytes, default the 96×96 model input):
 * bit i is set when the i-th low-frequency DCT coefficient of its 32×32 grayscale is above their median.
 */
export function perceptualHash(pixels: Uint8Array, width = HASH_INPUT_SIZE, height = HASH_INPUT_SIZE): bigint {
  if (pixels.length !== width * height * 3) throw new Error(`expected ${width}×${height}×3 RGB bytes, got ${pixels.length}`);
  if (width < DCT_SIZE || height < DCT_SIZE) throw new Error(`image must be at least ${DCT_SIZE}×${DCT_SIZE}`);
  const g = grayscale32(pixels, width, height);
  // Separable 2-D DCT-II, only the 8×8 coefficients the hash uses: rows first, then columns.
  const rows = new Float64Array(LOW * DCT_SIZE); // rows[u][y] = Σx cos_u(x) g[y][x]
  for (let u = 0; u < LOW; u++) {
    for (let y = 0; y < DCT_SIZE; y++) {
      let s = 0;
      for (let x = 0; x < DCT_SIZE; x++) s += COS[u * DCT_SIZE + x]! * g[y * DCT_SIZE + x]!;
      rows[u * DCT_SIZE + y] = s;
    }
  }
  const coeffs = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0;
      for (let y = 0; y < DCT_SIZE; y++) s += COS[v * DCT_SIZE + y]! * rows[u * DCT_SIZE + y]!;
      coeffs[v * LOW + u] = s;
    }
  }
  const sorted = Float64Array.from(coeffs).sort();
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hash = 0n;
  for (let i = 0; i < LOW * LOW; i++) if (coeffs[i]! > median) hash |= 1n << BigInt(i);
  return hash;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hammingDistance(a: bigint, b: bigint): number {
  const x = a ^ b;
  return popcount32(Number(x & 0xffffffffn)) + popcount32(Number((x >> 32n) & 0xffffffffn));
}

export interface HashedPhoto {
  photoId: number;
  hash: bigint;
}

export interface NearDuplicateGroup {
  /** The member closest to all others (least total Hamming distance). */
  representative: number;
  /** Every member, the representative first (distance 0), then by distance to it. */
  members: Array<{ photoId: number; distance: number }>;
  /** Largest distance from the representative; can exceed the threshold when copies chain (A~B, B~C). */
  maxDistance: number;
}

export interface NearDuplicateOptions {
  /** Photos whose hashes differ in at most this many bits are linked. Default 10; 0–32. */
  maxDistance?: number;
}

/** All masks of `bits` bits with at most `radius` bits set: the XORs that reach every chunk value within radius. */
function masksWithin(bits: number, radius: number): Uint32Array {
  const out: number[] = [];
  const extend = (mask: number, from: number, left: number) => {
    out.push(mask);
    if (left === 0) return;
    for (let b = from; b < bits; b++) extend(mask | (1 << b), b + 1, left - 1);
  };
  extend(0, 0, radius);
  return Uint32Array.from(out);
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Above this size a group's representative is its best-connected member instead of its exact medoid (n² work). */
const EXACT_MEDOID_LIMIT = 1000;

/** Groups (of two or more) of photos whose hashes are within `maxDistance`, largest groups first. */
export function groupByHash(photos: readonly HashedPhoto[], opts: NearDuplicateOptions = {}): NearDuplicateGroup[] {
  const maxDistance = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 32) throw new Error('maxDistance must be an integer from 0 to 32');
  const n = photos.length;
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  photos.forEach((p, i) => {
    lo[i] = Number(p.hash & 0xffffffffn);
    hi[i] = Number((p.hash >> 32n) & 0xffffffffn);
  });

  // One bucket index per chunk, in compressed-row form: ids[offsets[k] .. offsets[k + 1]) have chunk value k.
  const buckets = Array.from({ length: CHUNKS }, (_, c) => {
    const keys = new Uint16Array(n);
    for (let i = 0; i < n; i++) keys[i] = ((c < 2 ? lo[i]! : hi[i]!) >>> ((c & 1) * CHUNK_BITS)) & 0xffff;
    const offsets = new Uint32Array((1 << CHUNK_BITS) + 1);
    for (let i = 0; i < n; i++) offsets[keys[i]! + 1]!++;
    for (let k = 0; k < 1 << CHUNK_BITS; k++) offsets[k + 1]! += offsets[k]!;
    const fill = offsets.slice(0, -1);
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[fill[keys[i]!]!++] = i;
    return { keys, offsets, ids };
  });

  const masks = masksWithin(CHUNK_BITS, Math.floor(maxDistance / CHUNKS));
  const uf = new UnionFind(n);
  const neighbours = new Uint32Array(n);
  const lastSeen = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < CHUNKS; c++) {
      const { keys, offsets, ids } = buckets[c]!;
      const key = keys[i]!;
      for (let m = 0; m < masks.length; m++) {
        const k = key ^ masks[m]!;
        const start = offsets[k]!;
        // Ids ascend within a bucket; each pair is examined once, from its smaller id.
        for (let p = offsets[k + 1]! - 1; p >= start; p--) {
          const j = ids[p]!;
          if (j <= i) break;
          if (lastSeen[j] === i) continue;
          lastSeen[j] = i;
          if (popcount32(lo[i]! ^ lo[j]!) + popcount32(hi[i]! ^ hi[j]!) <= maxDistance) {
            uf.union(i, j);
            neighbours[i]!++;
            neighbours[j]!++;
          }
        }
      }
    }
  }

  const components = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (neighbours[i] === 0) continue;
    const root = uf.find(i);
    const list = components.get(root);
    if (list) list.push(i);
    else components.set(root, [i]);
  }

  const dist = (a: number, b: number) => popcount32(lo[a]! ^ lo[b]!) + popcount32(hi[a]! ^ hi[b]!);
  const groups: NearDuplicateGroup[] = [];
  for (const members of components.values()) {
    // Ties go to the smaller photo id, so the result does not depend on input order.
    const score = (i: number) => (members.length <= EXACT_MEDOID_LIMIT ? members.reduce((s, j) => s + dist(i, j), 0) : -neighbours[i]!);
    let best = members[0]!;
    let bestScore = score(best);
    for (const i of members.slice(1)) {
      const s = score(i);
      if (s < bestScore || (s === bestScore && photos[i]!.photoId < photos[best]!.photoId)) {
        best = i;
        bestScore = s;
      }
    }
    const others = members
      .filter((i) => i !== best)
      .map((i) => ({ photoId: photos[i]!.photoId, distance: dist(best, i) }))
      .sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
    const list = [{ photoId: photos[best]!.photoId, distance: 0 }, ...others];
    groups.push({ representative: photos[best]!.photoId, members: list, maxDistance: Math.max(...list.map((m) => m.distance)) });
  }
  return groups.sort((a, b) => b.members.length - a.members.length || a.representative - b.representative);
}

/** Hashes each photo's 96×96 RGB model input and groups the near-identical ones. */
export function findNearDuplicates(
  photos: ReadonlyArray<{ photoId: number; pixels: Uint8Array }>,
  opts: NearDuplicateOptions = {},
): NearDuplicateGroup[] {
  return groupByHash(
    photos.map((p) => ({ photoId: p.photoId, hash: perceptualHash(p.pixels) })),
    opts,
  );
}
