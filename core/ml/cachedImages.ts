/**
 * Training and feature inputs read from the ingest cache by content hash, so no job decodes an original twice:
 * the 96×96 model inputs (raw RGB) and the WebP thumbnails (longest side 320), centre-cropped to a square.
 */
import fs from 'node:fs';
import { MODEL_INPUT_BYTES, MODEL_INPUT_SIZE, modelInputPath, readModelInput, thumbnailPath } from '../library/cache.js';
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

/** The scan's thumbnails, centre-cropped and resized (sharp, Lanczos) to `size`×`size` RGB. */
export class ThumbnailSource extends HashImageSource {
  constructor(
    cacheDir: string,
    hashes: readonly string[],
    readonly size: number,
  ) {
    super(cacheDir, hashes);
  }

  protected async readOne(hash: string): Promise<Uint8Array> {
    const { default: sharp } = await import('sharp');
    const data = await sharp(thumbnailPath(this.cacheDir, hash)).resize(this.size, this.size, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
    if (data.length !== this.size * this.size * 3) throw new Error(`thumbnail of ${hash} decoded to ${data.length} bytes, expected ${this.size}×${this.size}×3`);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  }
}

export type PixelSourceKind = 'input' | 'thumbnail';

/** Splits hashes into those whose cached artefact for `kind` is present and the rest, each with a reason. */
export function checkCachedArtefacts(cacheDir: string, hashes: readonly string[], kind: PixelSourceKind): { usable: string[]; missing: Array<{ hash: string; reason: string }> } {
  const usable: string[] = [];
  const missing: Array<{ hash: string; reason: string }> = [];
  for (const hash of hashes) {
    const file = kind === 'input' ? modelInputPath(cacheDir, hash) : thumbnailPath(cacheDir, hash);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) missing.push({ hash, reason: `cached ${kind === 'input' ? 'model input' : 'thumbnail'} is missing (re-scan the folder to rebuild it)` });
    else if (kind === 'input' && st.size !== MODEL_INPUT_BYTES) missing.push({ hash, reason: `cached model input has ${st.size} bytes, expected ${MODEL_INPUT_BYTES} (re-scan the folder to rebuild it)` });
    else usable.push(hash);
  }
  return { usable, missing };
}
