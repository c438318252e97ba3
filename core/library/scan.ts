// Turns a folder into library rows: walk, skip what is unchanged, hash and decode the rest with bounded
// parallelism, recognise moves and copies by content hash, and mark what disappeared as missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import sharp from 'sharp';
import type { Database } from '../store/db.js';
import { getOrCreateLibrary, markLibraryScanned } from '../store/libraries.js';
import {
  EMPTY_CONTENT,
  findDecodedContent,
  insertPhoto,
  loadPhotoStates,
  markPhotosMissing,
  refreshDuplicates,
  updatePhoto,
  type PhotoContent,
  type PhotoState,
  type PhotoWrite,
} from '../store/photos.js';
import { finishScanRun, reapStaleRuns, startScanRun, type ScanCounts } from '../store/scanRuns.js';
import { upsertThumbnail, type ThumbnailRow } from '../store/thumbnails.js';
import { MODEL_INPUT_SIZE, hasCachedArtefacts, modelInputPath, prepareCacheDir, thumbnailPath, writeCacheFile } from './cache.js';
import { DEFAULT_MAX_PIXELS, DecodeError, decodePhoto } from './decode.js';
import { sha256OfHandle } from './hash.js';
import { HeicDecoderPool } from './heic.js';
import { forEachLimit } from './decodePool.js';
import { displayPath, isLosslessUtf8, walkLibrary, type WalkedFile } from './walk.js';

export type ScanPhase = 'walking' | 'processing';

export interface ScanProgress {
  phase: ScanPhase;
  /** Walking: image files found so far. Processing: files done (unchanged ones count as done at once). */
  done: number;
  /** Walking: not known yet, equal to `done`. Processing: all image files found. */
  total: number;
  /** Display form of the folder (walking) or file (processing) last handled. */
  path: string;
}

export interface ScanError {
  /** Display form of the path relative to the library root. */
  path: string;
  reason: string;
}

/** The CLI's `--json` output plus the elapsed time. Counts describe what this scan found or changed. */
export interface ScanSummary extends ScanCounts {
  library: number;
  seconds: number;
}

export interface ScanOptions {
  db: Database;
  root: string;
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  /** Photos decoded at once; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** Images with more pixels are refused before decoding; default 200 MP. */
  maxPixels?: number;
}

/** The folder to scan cannot be used at all (as opposed to a file in it). */
export class ScanRootError extends Error {
  override name = 'ScanRootError';
}

/** Another live process is scanning the same library in the same database. */
export class ScanBusyError extends Error {
  override name = 'ScanBusyError';
}

/**
 * One photo more than there are cores: hashing and bookkeeping run on the main thread between decodes, and the extra
 * lane keeps the cores busy meanwhile. `npm run bench -- ingest --sweep 100` on the 2-core dev machine (shared,
 * load ~9) gave medians of 10.2 / 11.5 / 12.0 / 10.6 images/s for 1 / 2 / 3 / 4 lanes; memory stays ~150 MiB.
 */
export const DEFAULT_CONCURRENCY = Math.max(1, os.availableParallelism()) + 1;

type Outcome =
  | { kind: 'ok'; hash: string; content: PhotoContent; thumb: Omit<ThumbnailRow, 'created_at'> | null; size: number; mtimeMs: number }
  | { kind: 'failed'; hash: string | null; reason: string; size: number; mtimeMs: number }
  | { kind: 'vanished' }
  | { kind: 'unstable' };

/** Checks that `root` is a readable folder and returns its real path; throws ScanRootError with the reason. */
export async function checkScanRoot(root: string): Promise<string> {
  const abs = path.resolve(root);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ScanRootError(`folder not found: ${abs}`);
    if (code === 'EACCES' || code === 'EPERM') throw new ScanRootError(`cannot access folder ${abs}: permission denied`);
    throw new ScanRootError(`cannot access folder ${abs}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new ScanRootError(`not a folder: ${abs}`);
  try {
    const dir = await fs.promises.opendir(abs);
    await dir.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScanRootError(`cannot read folder ${abs}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message}`);
  }
  // One library per real folder, however it was named on the command line.
  return fs.promises.realpath(abs);
}

function openReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read the file: permission denied';
  if (code === 'ENAMETOOLONG') return 'path too long for the operating system';
  if (code === 'ELOOP') return 'symbolic link loop';
  return `cannot read the file: ${(err as Error).message}`;
}

/** Reads the whole file with positional reads (the handle's own position is left alone). */
async function readWhole(handle: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await handle.read(buf, off, size - off, off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return off === size ? buf : buf.subarray(0, off);
}

export async function scanLibrary(opts: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const { db, cacheDir, signal, onProgress } = opts;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  signal?.throwIfAborted();
  const root = await checkScanRoot(opts.root);

  const library = getOrCreateLibrary(db, root);
  const live = reapStaleRuns(db, library.id);
  if (live) throw new ScanBusyError(`${root} is already being scanned by process ${live.pid}`);
  const runId = startScanRun(db, library.id);
  const counts: Omit<ScanCounts, 'errors'> & { errors: Array<ScanError & { rel: Buffer }> } = {
    scanned: 0,
    added: 0,
    changed: 0,
    moved: 0,
    missing: 0,
    duplicates: 0,
    failed: 0,
    errors: [],
  };
  // Errors keep their raw path for the stored run (see finishScanRun); the summary shows the display path only.
  const sortedErrors = () => [...counts.errors].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : Buffer.compare(a.rel, b.rel)));
  const summary = () => ({
    library: library.id,
    ...counts,
    failed: counts.errors.length,
    errors: sortedErrors(),
    seconds: Math.round((performance.now() - started) / 10) / 100,
  });
  const publicSummary = (): ScanSummary => {
    const s = summary();
    return { ...s, errors: s.errors.map(({ path, reason }) => ({ path, reason })) };
  };

  // One event per folder while walking and per file while processing; displays throttle their own redraws.
  const progress = (phase: ScanPhase, done: number, total: number, where: string) => onProgress?.({ phase, done, total, path: where });

  // Our pool provides the parallelism; one libvips thread per photo avoids oversubscribing the cores, and the
  // operation cache only holds memory for images we will never see again.
  sharp.concurrency(1);
  sharp.cache(false);
  const heic = new HeicDecoderPool(concurrency);

  try {
    prepareCacheDir(cacheDir);
    progress('walking', 0, 0, '');
    const walk = await walkLibrary(root, {
      signal,
      exclude: [cacheDir],
      onFolder: (found, rel) => progress('walking', found, found, displayPath(rel)),
    });
    const total = walk.files.length + walk.fileIssues.length;
    counts.scanned = total;

    const states = loadPhotoStates(db, library.id);
    const byPath = new Map<string, PhotoState>();
    for (const s of states) byPath.set(s.rel_path.toString('latin1'), s);
    const seen = new Set<string>();
    for (const f of walk.files) seen.add(f.rel.toString('latin1'));
    for (const f of walk.fileIssues) seen.add(f.rel.toString('latin1'));
    const unreadable = walk.dirIssues.map((d) => Buffer.concat([d.rel, Buffer.from('/')]));
    const underUnreadable = (rel: Buffer) => unreadable.some((prefix) => prefix.length === 1 || rel.subarray(0, prefix.length).equals(prefix));

    // Photos whose path is gone: candidates for "moved" (matched by hash) and otherwise "missing".
    const gone = states.filter((s) => !seen.has(s.rel_path.toString('latin1')) && !underUnreadable(s.rel_path));
    const goneByHash = new Map<string, PhotoState[]>();
    for (const s of gone.sort((a, b) => a.id - b.id)) {
      if (!s.content_hash) continue;
      const list = goneByHash.get(s.content_hash) ?? [];
      list.push(s);
      goneByHash.set(s.content_hash, list);
    }
    const claimed = new Set<number>();

    const cacheOk = new Map<string, boolean>();
    const isCached = (hash: string) => {
      let ok = cacheOk.get(hash);
      if (ok === undefined) cacheOk.set(hash, (ok = hasCachedArtefacts(cacheDir, hash)));
      return ok;
    };

    const fail = (rel: Buffer, reason: string) => counts.errors.push({ path: displayPath(rel) || '.', reason, rel });
    for (const d of walk.dirIssues) fail(d.rel, d.reason);

    const write = (
      prev: PhotoState | undefined,
      rel: Buffer,
      w: Omit<PhotoWrite, 'rel_path' | 'display_path'>,
      thumb: Omit<ThumbnailRow, 'created_at'> | null = null,
    ): void => {
      const row: PhotoWrite = { ...w, rel_path: rel, display_path: displayPath(rel) };
      const hashes = [row.content_hash, prev?.content_hash];
      db.transaction(() => {
        if (thumb) upsertThumbnail(db, thumb);
        if (prev) {
          updatePhoto(db, prev.id, row);
        } else {
          const movedFrom = row.content_hash ? goneByHash.get(row.content_hash)?.find((s) => !claimed.has(s.id)) : undefined;
          if (movedFrom) {
            claimed.add(movedFrom.id);
            updatePhoto(db, movedFrom.id, row);
            counts.moved++;
          } else {
            insertPhoto(db, library.id, row);
            if (row.status === 'ok') counts.added++;
          }
        }
        counts.duplicates += refreshDuplicates(db, library.id, hashes.filter((h): h is string => !!h));
      })();
      if (prev && row.status === 'ok') {
        if (prev.status === 'missing') counts.added++;
        else if (prev.content_hash !== row.content_hash) counts.changed++;
      }
    };

    // Broken links, loops and special files named like images: recorded as failed photos.
    for (const issue of walk.fileIssues) {
      const prev = byPath.get(issue.rel.toString('latin1'));
      if (!(prev?.status === 'error' && prev.error === issue.reason && prev.content_hash === null)) {
        write(prev, issue.rel, { ...EMPTY_CONTENT, size: 0, mtime_ms: 0, status: 'error', error: issue.reason });
      }
      fail(issue.rel, issue.reason);
    }

    // Unchanged files (same size and mtime) are not opened: ok ones are done, failed ones keep their reason.
    let done = walk.fileIssues.length;
    const queue: { file: WalkedFile; prev: PhotoState | undefined }[] = [];
    for (const file of walk.files) {
      const prev = byPath.get(file.rel.toString('latin1'));
      if (prev && prev.status !== 'missing' && prev.size === file.size && prev.mtime_ms === file.mtimeMs && prev.content_hash) {
        if (prev.status === 'ok' && isCached(prev.content_hash)) {
          done++;
          continue;
        }
        if (prev.status === 'error') {
          fail(file.rel, prev.error ?? 'failed in an earlier scan');
          done++;
          continue;
        }
      }
      queue.push({ file, prev });
    }
    progress('processing', done, total, '');

    // Two new copies of one picture decode once: the second waits for the first.
    const decoding = new Map<string, Promise<Outcome>>();

    const ingest = async (file: WalkedFile): Promise<Outcome> => {
      let handle: FileHandle;
      try {
        handle = await fs.promises.open(file.abs, fs.constants.O_RDONLY);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'vanished' };
        return { kind: 'failed', hash: null, reason: openReason(err), size: file.size, mtimeMs: file.mtimeMs };
      }
      try {
        const before = await handle.stat();
        const base = { size: before.size, mtimeMs: before.mtimeMs };
        if (!before.isFile()) return { kind: 'failed', hash: null, reason: 'not a regular file', ...base };
        if (before.size === 0) return { kind: 'failed', hash: null, reason: 'empty file (0 bytes)', ...base };
        // Streamed through one reused chunk: measured cheaper than reading the whole file into a fresh buffer, and
        // memory stays flat however big the file; libvips then reads the file itself (from the page cache).
        const hash = await sha256OfHandle(handle);
        let outcome: Outcome;
        const known = findDecodedContent(db, hash);
        if (known && isCached(hash)) {
          outcome = { kind: 'ok', hash, content: known, thumb: null, ...base };
        } else {
          let pending = decoding.get(hash);
          if (!pending) {
            pending = decodeToCache(file, handle, hash, base);
            decoding.set(hash, pending);
            pending.finally(() => decoding.delete(hash)).catch(() => {});
          }
          outcome = { ...(await pending), ...base };
        }
        const after = await handle.stat();
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { kind: 'unstable' };
        return outcome;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'vanished' };
        return { kind: 'failed', hash: null, reason: openReason(err), size: file.size, mtimeMs: file.mtimeMs };
      } finally {
        await handle.close();
      }
    };

    const decodeToCache = async (file: WalkedFile, handle: FileHandle, hash: string, base: { size: number; mtimeMs: number }): Promise<Outcome> => {
      let whole: Promise<Buffer> | undefined;
      const source = {
        // A name a JS string cannot express is decoded from the bytes read through our own handle.
        path: isLosslessUtf8(file.abs) ? file.abs.toString('utf8') : undefined,
        read: () => (whole ??= readWhole(handle, base.size)),
      };
      try {
        const photo = await decodePhoto(source, { maxPixels, heic });
        // Cache first, row second: a row with status ok always has its artefacts on disk.
        await writeCacheFile(cacheDir, thumbnailPath(cacheDir, hash), photo.thumbnail.data);
        await writeCacheFile(cacheDir, modelInputPath(cacheDir, hash), photo.modelInput);
        cacheOk.set(hash, true);
        return {
          kind: 'ok',
          hash,
          ...base,
          content: {
            content_hash: hash,
            width: photo.width,
            height: photo.height,
            taken_at: photo.takenAt,
            camera_make: photo.cameraMake,
            camera_model: photo.cameraModel,
            format: photo.format,
          },
          thumb: {
            content_hash: hash,
            thumb_width: photo.thumbnail.width,
            thumb_height: photo.thumbnail.height,
            thumb_bytes: photo.thumbnail.data.length,
            input_size: MODEL_INPUT_SIZE,
          },
        };
      } catch (err) {
        if (err instanceof DecodeError) return { kind: 'failed', hash, reason: err.message, ...base };
        throw err;
      }
    };

    await forEachLimit(
      queue,
      concurrency,
      async ({ file, prev }) => {
        const outcome = await ingest(file);
        switch (outcome.kind) {
          case 'vanished':
            fail(file.rel, 'the file disappeared during the scan');
            if (prev && prev.status !== 'missing') {
              db.transaction(() => {
                markPhotosMissing(db, [prev.id]);
                if (prev.content_hash) refreshDuplicates(db, library.id, [prev.content_hash]);
              })();
              counts.missing++;
            }
            break;
          case 'unstable':
            fail(file.rel, 'the file changed while it was being read; it will be read again on the next scan');
            break;
          case 'failed':
            write(prev, file.rel, { ...EMPTY_CONTENT, content_hash: outcome.hash, size: outcome.size, mtime_ms: outcome.mtimeMs, status: 'error', error: outcome.reason });
            fail(file.rel, outcome.reason);
            break;
          case 'ok':
            write(prev, file.rel, { ...outcome.content, size: outcome.size, mtime_ms: outcome.mtimeMs, status: 'ok', error: null }, outcome.thumb);
            break;
        }
        done++;
        progress('processing', done, total, displayPath(file.rel));
      },
      signal,
    );

    signal?.throwIfAborted();

    // Only a complete walk may declare photos missing; moves have claimed their rows by now.
    const nowMissing = gone.filter((s) => s.status !== 'missing' && !claimed.has(s.id));
    db.transaction(() => {
      markPhotosMissing(
        db,
        nowMissing.map((s) => s.id),
      );
      refreshDuplicates(db, library.id, new Set(nowMissing.flatMap((s) => (s.content_hash ? [s.content_hash] : []))));
    })();
    counts.missing += nowMissing.length;

    progress('processing', total, total, '');
    db.transaction(() => {
      finishScanRun(db, runId, 'completed', summary());
      markLibraryScanned(db, library.id);
    })();
    return publicSummary();
  } catch (err) {
    if (signal?.aborted) finishScanRun(db, runId, 'cancelled', summary());
    else finishScanRun(db, runId, 'failed', summary(), (err as Error).message);
    throw err;
  } finally {
    await heic.close();
  }
}
