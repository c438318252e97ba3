/**
 * Thumbnails and previews by photo id, for the browser-mode server and Electron's `thumb:` scheme alike. A thumbnail
 * is our own cached file; a preview reads the original, and that is where one bad file, a disk that stops answering
 * or a burst of requests could stall every image of the app. So a preview is only made of a photo the last scan found
 * good, read with the checks of readOriginal, a few at a time, and each request gets an answer within its deadline —
 * whatever the disk does.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { Database } from '../store/db.js';
import { okPhotoHash, photoLocation, type PhotoLocation } from '../store/photos.js';
import { absolutePathBytes, DEFAULT_MAX_PIXELS, thumbnailPath } from '../library/index.js';
import { OriginalChangedError, readOriginal, type ReadOriginalOptions } from '../library/readOriginal.js';
import { MediaError, type MediaSource } from '../media.js';
import { Semaphore } from './export/copyPool.js';

export interface MediaLimits {
  /**
   * Originals read and decoded at once. Each may hold one of libuv's four threads while the disk answers, so fewer
   * than four: however many reads hang, thumbnails, pages and the database keep threads to run on.
   */
  concurrency: number;
  /** How long a request waits for a free place before it is told to try again. */
  waitMs: number;
  /** How long reading and decoding one original may take before the request is answered without it. */
  deadlineMs: number;
  /** Originals larger than this are not read for a preview. */
  maxBytes: number;
  /** Nor images of more pixels than this (the scan's limit). */
  maxPixels: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  concurrency: 2,
  waitMs: 2_000,
  deadlineMs: 15_000,
  maxBytes: 256e6,
  maxPixels: DEFAULT_MAX_PIXELS,
};

export interface MediaOptions {
  db: Database;
  cacheDir: string;
  limits?: Partial<MediaLimits> | undefined;
  /** How originals are opened (tests stand in a disk that does not answer). */
  open?: ReadOriginalOptions['open'];
}

const PREVIEW_SIDE = 2048;
const RESCAN = 'scan the folder again';

function notShowable(row: PhotoLocation): MediaError {
  if (row.status === 'missing') return new MediaError(404, `the photo was not found at the last scan; if it is back, ${RESCAN}`);
  return new MediaError(409, `the last scan could not use this photo (${row.error ?? 'unknown reason'}); fix or replace the file, then ${RESCAN}`);
}

function readFailure(err: unknown): MediaError {
  if (err instanceof OriginalChangedError) {
    return err.code === 'too-large' ? new MediaError(413, `the photo is too large to show: ${err.message}`) : new MediaError(409, `${err.message}; ${RESCAN}`);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new MediaError(404, `the photo's file is no longer there; ${RESCAN}`);
  if (code === 'EACCES' || code === 'EPERM') return new MediaError(409, "the photo's file cannot be read: permission denied");
  return new MediaError(409, `the photo's file cannot be read (${code ?? (err as Error).message})`);
}

function decodeFailure(err: unknown, limits: MediaLimits): MediaError {
  const msg = String((err as Error)?.message ?? err).split('\n')[0]!;
  if (/pixel limit/i.test(msg)) return new MediaError(413, `the photo is too large to show: above the ${limits.maxPixels / 1e6}-megapixel limit`);
  if (/timeout/i.test(msg)) return new MediaError(504, 'decoding the photo took too long');
  return new MediaError(422, `the photo cannot be decoded for display (${msg})`);
}

function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function createMediaSource(opts: MediaOptions): MediaSource {
  const limits: MediaLimits = { ...DEFAULT_MEDIA_LIMITS, ...opts.limits };
  const slots = new Semaphore(limits.concurrency);

  async function render(row: PhotoLocation): Promise<{ body: Buffer; contentType: string }> {
    let data: Buffer;
    try {
      data = await readOriginal(absolutePathBytes(row.root, row.rel_path), { expectedSize: row.size, maxBytes: limits.maxBytes, open: opts.open });
    } catch (err) {
      throw readFailure(err);
    }
    try {
      // A JPEG any browser shows, TIFF/AVIF originals included, EXIF orientation applied.
      const body = await sharp(data, { failOn: 'none', limitInputPixels: limits.maxPixels })
        .rotate()
        .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 88 })
        .timeout({ seconds: Math.max(1, Math.ceil(limits.deadlineMs / 1000)) })
        .toBuffer();
      return { body, contentType: 'image/jpeg' };
    } catch (err) {
      throw decodeFailure(err, limits);
    }
  }

  return {
    async thumbnailFile(photoId) {
      const hash = okPhotoHash(opts.db, photoId);
      if (!hash) return null;
      const file = thumbnailPath(opts.cacheDir, hash);
      return fs.existsSync(file) ? file : null;
    },
    async previewImage(photoId) {
      const row = photoLocation(opts.db, photoId);
      if (!row) return null;
      if (row.status !== 'ok') throw notShowable(row);
      if (!(await slots.acquire(limits.waitMs))) {
        throw new MediaError(503, `${limits.concurrency} photos are being read already (a slow or disconnected disk?); try again in a moment`);
      }
      const work = render(row);
      // The place comes back when the disk has answered, not at the deadline: reads that hang keep theirs, so they can
      // never hold more than `concurrency` threads.
      work.then(
        () => slots.release(),
        () => slots.release(),
      );
      const seconds = Math.round(limits.deadlineMs / 100) / 10;
      return withDeadline(work, limits.deadlineMs, () => new MediaError(504, `reading the photo took longer than ${seconds} s; its disk may be slow or disconnected`));
    },
  };
}
