import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../test/seededRandom.js';
import { sharedDir } from '../paths.js';
import {
  DEFAULT_MAX_DISTANCE,
  findNearDuplicates,
  groupByHash,
  hammingDistance,
  HASH_INPUT_SIZE,
  perceptualHash,
  type HashedPhoto,
} from './nearDuplicates.js';

function randomHash(next: () => number): bigint {
  return (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32));
}

function flipBits(hash: bigint, count: number, next: () => number): bigint {
  const bits = new Set<number>();
  while (bits.size < count) bits.add(Math.floor(next() * 64));
  for (const b of bits) hash ^= 1n << BigInt(b);
  return hash;
}

/** The O(n²) answer: connected components of all pairs within the threshold, as sorted id lists. */
function bruteForceGroups(photos: HashedPhoto[], maxDistance: number): number[][] {
  const parent = photos.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < photos.length; i++) {
    for (let j = i + 1; j < photos.length; j++) {
      if (hammingDistance(photos[i]!.hash, photos[j]!.hash) <= maxDistance) parent[find(j)] = find(i);
    }
  }
  const byRoot = new Map<number, number[]>();
  photos.forEach((p, i) => byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), p.photoId]));
  return [...byRoot.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
}

async function modelInput(image: Buffer): Promise<Uint8Array> {
  const raw = await sharp(image).resize(HASH_INPUT_SIZE, HASH_INPUT_SIZE, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  return new Uint8Array(raw);
}

describe('perceptualHash', () => {
  it('ignores a uniform brightness shift and rejects input of the wrong size', () => {
    const next = rng(7);
    const pixels = Uint8Array.from({ length: 96 * 96 * 3 }, () => 40 + Math.floor(next() * 150));
    const brighter = pixels.map((v) => v + 30);
    expect(perceptualHash(brighter)).toBe(perceptualHash(pixels));
    // 32 of 64 coefficients lie above their median.
    expect(hammingDistance(perceptualHash(pixels), 0n)).toBe(32);
    expect(() => perceptualHash(new Uint8Array(10))).toThrow(/96×96×3/u);
  });

  it('computes Hamming distances over all 64 bits', () => {
    expect(hammingDistance(0n, 0n)).toBe(0);
    expect(hammingDistance(0n, (1n << 64n) - 1n)).toBe(64);
    expect(hammingDistance(1n << 63n, 1n)).toBe(2);
  });
});

describe('groupByHash', () => {
  it('finds exactly the groups a full pairwise comparison finds', () => {
    const next = rng(42);
    const photos: HashedPhoto[] = [];
    let id = 1;
    for (let c = 0; c < 200; c++) {
      const base = randomHash(next);
      const copies = 1 + Math.floor(next() * 4);
      photos.push({ photoId: id++, hash: base });
      for (let k = 0; k < copies; k++) photos.push({ photoId: id++, hash: flipBits(base, Math.floor(next() * 14), next) });
    }
    for (let i = 0; i < 1200; i++) photos.push({ photoId: id++, hash: randomHash(next) });

    for (const maxDistance of [0, 3, DEFAULT_MAX_DISTANCE, 13]) {
      const groups = groupByHash(photos, { maxDistance });
      const ours = groups.map((g) => g.members.map((m) => m.photoId).sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);
      expect(ours).toEqual(bruteForceGroups(photos, maxDistance));
      // Copies have 0–13 bits flipped, so each threshold finds some but not all of the 200 planted groups.
      expect(ours.length).toBeGreaterThan(maxDistance >= DEFAULT_MAX_DISTANCE ? 150 : 5);
    }
  });

  it('picks the most central member as representative and reports distances to it', () => {
    const a = 0n;
    const photos = [
      { photoId: 5, hash: a | 0b11n }, // 2 bits from a
      { photoId: 3, hash: a | 0b1n }, // the centre: 1 bit from each
      { photoId: 9, hash: a },
      { photoId: 4, hash: (1n << 40n) - 1n }, // far from everything
    ];
    expect(groupByHash(photos, { maxDistance: 1 })).toEqual([
      {
        representative: 3,
        members: [
          { photoId: 3, distance: 0 },
          { photoId: 5, distance: 1 },
          { photoId: 9, distance: 1 },
        ],
        maxDistance: 1,
      },
    ]);
    expect(() => groupByHash(photos, { maxDistance: 40 })).toThrow(/maxDistance/u);
  });
});

describe('findNearDuplicates on real images', () => {
  it('groups resized, re-encoded and brightened copies, and nothing else', async () => {
    const root = path.join(sharedDir(), 'datasets', 'cifar10-test');
    const classes = fs.readdirSync(root).sort();
    // Three photos per class: 30 different images, upscaled to stand in for camera photos.
    const originals: Buffer[] = [];
    for (const cls of classes) {
      for (const file of fs.readdirSync(path.join(root, cls)).sort().slice(0, 3)) {
        originals.push(await sharp(path.join(root, cls, file)).resize(256, 256, { kernel: 'lanczos3' }).png().toBuffer());
      }
    }
    const photos: Array<{ photoId: number; pixels: Uint8Array }> = [];
    for (const [i, image] of originals.entries()) photos.push({ photoId: i, pixels: await modelInput(image) });

    // Copies of one photo from each of three classes.
    const duplicated = [0, 12, 27];
    const expected: number[][] = [];
    let id = 1000;
    for (const i of duplicated) {
      const image = originals[i]!;
      const variants = [
        await sharp(image).resize(160, 160).jpeg({ quality: 90 }).toBuffer(), // resized
        await sharp(image).resize(512, 512).jpeg({ quality: 85 }).toBuffer(), // upscaled
        await sharp(image).jpeg({ quality: 25 }).toBuffer(), // re-encoded at low quality
        await sharp(image).modulate({ brightness: 1.12 }).jpeg({ quality: 90 }).toBuffer(), // brightened
      ];
      const ids = [i];
      for (const v of variants) {
        photos.push({ photoId: id, pixels: await modelInput(v) });
        ids.push(id++);
      }
      expected.push(ids.sort((a, b) => a - b));
    }

    const groups = findNearDuplicates(photos);

    expect(groups.map((g) => g.members.map((m) => m.photoId).sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!)).toEqual(expected);
    for (const g of groups) expect(g.maxDistance).toBeLessThanOrEqual(DEFAULT_MAX_DISTANCE);
  });
});
