import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';

/**
 * Training input: every photo as a `size`×`size` RGB square (centre crop, "cover"), raw uint8 HWC. The ingestion
 * cache stores exactly this at 96 px, so training never decodes originals again; networks resize on the backend.
 */
export interface ImageSource {
  readonly count: number;
  /** Stored side length (96 for the ingest cache). */
  readonly size: number;
  /** The images at `indices`, concatenated NHWC uint8 RGB (length indices.length·size·size·3). */
  read(indices: number[]): Promise<Uint8Array>;
}

export const CACHE_SIZE = 96;

/** An ImageSource over one contiguous NHWC buffer. */
export class MemoryImageSource implements ImageSource {
  readonly count: number;

  constructor(readonly pixels: Uint8Array, readonly size: number) {
    const per = size * size * 3;
    if (pixels.length % per !== 0) throw new Error(`buffer length ${pixels.length} is not a multiple of ${size}×${size}×3`);
    this.count = pixels.length / per;
  }

  async read(indices: number[]): Promise<Uint8Array> {
    const per = this.size * this.size * 3;
    const out = new Uint8Array(indices.length * per);
    indices.forEach((idx, i) => {
      if (!(idx >= 0 && idx < this.count)) throw new RangeError(`image index ${idx} out of range 0..${this.count - 1}`);
      out.set(this.pixels.subarray(idx * per, (idx + 1) * per), i * per);
    });
    return out;
  }

  /** A source over a subset, in the given order. */
  async subset(indices: number[]): Promise<MemoryImageSource> {
    return new MemoryImageSource(await this.read(indices), this.size);
  }
}

export interface LabelledItem {
  /** Path relative to the folder, with forward slashes. */
  path: string;
  /** Index into `classes`, when the folder is class-per-folder. */
  label?: number;
}

export interface BadImage {
  path: string;
  reason: string;
}

export interface LabelledFolder {
  source: MemoryImageSource;
  /** One entry per decoded image, in source order. */
  items: LabelledItem[];
  /** Class names (first-level sub-folder names, sorted) when every image sits in one; otherwise undefined. */
  classes?: string[];
  /** Files with an image extension that could not be decoded; they are skipped. */
  errors: BadImage[];
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);

export function isImagePath(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** Image files under `root` (absolute paths, sorted, hidden entries skipped). */
export async function listImages(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && isImagePath(e.name)) out.push(full);
    }
  };
  await walk(root);
  return out;
}

/** Decodes one file to the cache format: auto-oriented, sRGB, alpha dropped, `size`×`size` centre crop. */
export async function decodeToSquare(file: string, size = CACHE_SIZE): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(file, { failOn: 'error' })
    .rotate()
    .resize(size, size, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== size * size * 3) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

export interface DecodedImages {
  source: MemoryImageSource;
  /** Relative paths (forward slashes) of the decoded images, in source order. */
  paths: string[];
  errors: BadImage[];
}

/** Decodes the given files (paths relative to `root`, read-only) with bounded parallelism; bad ones are reported. */
export async function decodeImages(root: string, files: string[], opts: { size?: number; concurrency?: number } = {}): Promise<DecodedImages> {
  const size = opts.size ?? CACHE_SIZE;
  const concurrency = Math.max(1, opts.concurrency ?? Math.min(4, os.cpus().length));
  const decoded: Array<Uint8Array | undefined> = new Array(files.length);
  const errors: BadImage[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      try {
        decoded[i] = await decodeToSquare(path.resolve(root, files[i]!), size);
      } catch (err) {
        errors.push({ path: toPosix(files[i]!), reason: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const per = size * size * 3;
  const kept = files.flatMap((f, i) => (decoded[i] ? [{ file: toPosix(f), pixels: decoded[i]! }] : []));
  const pixels = new Uint8Array(kept.length * per);
  kept.forEach((k, i) => pixels.set(k.pixels, i * per));
  errors.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { source: new MemoryImageSource(pixels, size), paths: kept.map((k) => k.file), errors };
}

/**
 * Loads every image under `dir` (read-only) into memory at the cache format. Sub-folder names become labels when
 * every image sits in a first-level sub-folder — for scoring only: nothing in training may look at them.
 */
export async function loadLabelledFolder(dir: string, opts: { size?: number; concurrency?: number } = {}): Promise<LabelledFolder> {
  const root = path.resolve(dir);
  const files = (await listImages(root)).map((f) => path.relative(root, f));
  const { source, paths, errors } = await decodeImages(root, files, opts);
  const labelled = paths.length > 0 && paths.every((p) => p.includes('/'));
  const classes = labelled ? [...new Set(paths.map((p) => p.split('/')[0]!))].sort() : undefined;
  const items: LabelledItem[] = paths.map((p) => (classes ? { path: p, label: classes.indexOf(p.split('/')[0]!) } : { path: p }));
  return { source, items, ...(classes ? { classes } : {}), errors };
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
