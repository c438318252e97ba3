/**
 * Training and feature inputs read from the ingest cache by content hash, so no job decodes an original twice:
 * the 96×96 model inputs (raw RGB) and the WebP thumbnails (longest side 320).
 */
import fs from 'node:fs';
import { MODEL_INPUT_BYTES, MODEL_INPUT_SIZE, modelInputPath, readModelInput, thumbnailPath } from '../../library/cache.js';
import type { ImageSource } from './dataset.js';

/** Reads `count` items with at most `limit` reads in flight; results in item order. */
async function readAll<T>(count: number, limit: number, read: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) out[i] = await read(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}

abstract class HashImageSource implements ImageSource {
  abstract readonly size: number;
  constructor(
    readonly cacheDir: string,
    readonly hashes: readonly string[],
  ) {}

  get count(): number {
    return this.hashes.length;
  }

  protected abstract readOne(hash: string): Promise<Uint8Array>;

  async read(indices: number[]): Promise<Uint8Array> {
    const per = this.size * this.size * 3;
    const out = new Uint8Array(indices.length * per);
    const parts = await readAll(indices.length, 16, (i) => {
      const idx = indices[i]!;
      if (!(idx >= 0 && idx < this.hashes.length)) throw new RangeError(`image index ${idx} out of range 0..${this.hashes.length - 1}`);
      return this.readOne(this.hashes[idx]!);
    });
    parts.forEach((p, i) => out.set(p, i * per));
    return out;
  }
}

/** The 96×96 RGB model inputs the scan wrote, one per content hash. */
export class CachedInputSource extends HashImageSource {
  readonly size = MODEL_INPUT_SIZE;
  protected readOne(hash: string): Promise<Uint8Array> {
    return readModelInput(this.cacheDir, hash);
  }
}

/**
 * What the backbone sees in fine-tune mode: the scan's 320 px thumbnail, centre-cropped to a square and resized
 * (sharp, Lanczos) to the backbone's input side — or, for photos whose thumbnail is smaller than the 96 px model input
 * (tiny originals, which the thumbnail never enlarges), the lossless model input. Measured (bench/features.ts): on
 * real phone photos the backbone at 224 px on these pixels groups far better than on the 96 px input, and the scan
 * already wrote both files, so no original is decoded twice.
 */
export class FeaturePixelSource extends HashImageSource {
  constructor(
    cacheDir: string,
    hashes: readonly string[],
    readonly size: number,
  ) {
    super(cacheDir, hashes);
  }

  protected async readOne(hash: string): Promise<Uint8Array> {
    const { default: sharp } = await import('sharp');
    const thumb = sharp(thumbnailPath(this.cacheDir, hash));
    const meta = await thumb.metadata();
    const small = Math.min(meta.width ?? 0, meta.height ?? 0) < MODEL_INPUT_SIZE;
    const pipeline = small
      ? sharp(await readModelInput(this.cacheDir, hash), { raw: { width: MODEL_INPUT_SIZE, height: MODEL_INPUT_SIZE, channels: 3 } })
      : thumb;
    const data = await pipeline.resize(this.size, this.size, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
    if (data.length !== this.size * this.size * 3) throw new Error(`cached pixels of ${hash} decoded to ${data.length} bytes, expected ${this.size}×${this.size}×3`);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  }
}

/** Names of the pixels features are computed from; a saved model records which its features came from. */
export type FeaturePixelsName = 'input96' | 'thumb320';

/** The image source a pixel-source name stands for (`input96`: models trained before the thumbnails were used). */
export function featurePixels(name: string, cacheDir: string, hashes: readonly string[], size: number): ImageSource {
  if (name === 'input96') return new CachedInputSource(cacheDir, hashes);
  if (name === 'thumb320') return new FeaturePixelSource(cacheDir, hashes, size);
  throw new Error(`unknown pixel source "${name}"`);
}


/** Cached artefacts each pixel source reads. */
export function artefactsFor(pixels: 'input' | FeaturePixelsName): Array<'input' | 'thumbnail'> {
  return pixels === 'thumb320' ? ['thumbnail', 'input'] : ['input'];
}

/** Splits hashes into those whose cached artefacts of every kind in `kinds` are present and the rest, each with a reason. */
export function checkCachedArtefacts(cacheDir: string, hashes: readonly string[], kinds: ReadonlyArray<'input' | 'thumbnail'>): { usable: string[]; missing: Array<{ hash: string; reason: string }> } {
  const usable: string[] = [];
  const missing: Array<{ hash: string; reason: string }> = [];
  const problem = (hash: string, kind: 'input' | 'thumbnail'): string | null => {
    const file = kind === 'input' ? modelInputPath(cacheDir, hash) : thumbnailPath(cacheDir, hash);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) return `cached ${kind === 'input' ? 'model input' : 'thumbnail'} is missing (re-scan the folder to rebuild it)`;
    if (kind === 'input' && st.size !== MODEL_INPUT_BYTES) return `cached model input has ${st.size} bytes, expected ${MODEL_INPUT_BYTES} (re-scan the folder to rebuild it)`;
    return null;
  };
  for (const hash of hashes) {
    const reason = kinds.map((kind) => problem(hash, kind)).find((r) => r !== null);
    if (reason) missing.push({ hash, reason });
    else usable.push(hash);
  }
  return { usable, missing };
}
