import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const CHUNK = 1 << 20;

/**
 * A path as fs calls take it: text, or raw bytes for a name that is not valid UTF-8 (POSIX filesystems store
 * bytes; such a name has no string spelling that opens it).
 */
export type FsPath = string | Buffer;

export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Error codes that would fail every remaining file too: stop the export (it stays resumable). */
export const FATAL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);
/** The filesystem cannot hard-link this: fall back to copying (move) or report it (hardlink). */
export const LINK_UNSUPPORTED_ERRNOS = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

export function describeError(err: unknown): string {
  const code = errnoOf(err);
  const detail = (err as Error)?.message ?? String(err);
  switch (code) {
    case 'ENOENT':
      return `file or folder not found (${detail})`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${detail})`;
    case 'EXDEV':
      return `hard links cannot cross filesystems (EXDEV): the source and the destination are on different disks; export with copy or symlink instead`;
    case 'EIO':
      return `input/output error — the disk may be failing or was disconnected (${detail})`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `the destination is full (${detail})`;
    case 'EROFS':
      return `the destination is read-only (${detail})`;
    default:
      return detail;
  }
}

export async function pathExists(p: FsPath): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return false;
    throw err;
  }
}

export async function lstatOrNull(p: FsPath): Promise<fs.Stats | null> {
  try {
    return await fsp.lstat(p);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return null;
    throw err;
  }
}

export async function unlinkIfExists(p: FsPath): Promise<void> {
  try {
    await fsp.unlink(p);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}

export async function sameFile(a: FsPath, b: FsPath): Promise<boolean> {
  const [sa, sb] = await Promise.all([lstatOrNull(a), lstatOrNull(b)]);
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The folder holding `p`; raw bytes stay bytes (only POSIX names come as bytes, so '/' separates). */
export function parentDir(p: FsPath): FsPath {
  if (typeof p === 'string') return path.dirname(p);
  const slash = p.lastIndexOf(0x2f);
  return slash <= 0 ? p.subarray(0, 1) : p.subarray(0, slash);
}

/** Whether the symlink `link` holds exactly `target`, compared as bytes so a raw name is never re-decoded. */
export async function symlinkPointsTo(link: string, target: FsPath): Promise<boolean> {
  const held = await fsp.readlink(link, { encoding: 'buffer' }).catch(() => null);
  return !!held && held.equals(Buffer.from(target));
}

/** Flushes a file's data to disk (any descriptor of the file will do). */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Makes a new directory entry (link, rename into place) durable before anything that relies on it. Windows cannot
 * open a folder this way (NTFS journals its metadata), so there it does nothing.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems (certain FUSE and network ones) refuse fsync on a folder; the data itself was flushed.
    if (!['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF'].includes(errnoOf(err) ?? '')) throw err;
  } finally {
    await fh.close();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The export was cancelled', 'AbortError');
}

export async function sha256File(file: FsPath, signal?: AbortSignal): Promise<string> {
  const fh = await fsp.open(file, 'r');
  try {
    const hash = crypto.createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      throwIfAborted(signal);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

export interface CopyResult {
  sha256: string;
  size: number;
  /** The source as it was when the copy began (to notice it changing before a move deletes it). */
  sourceStat: fs.Stats;
}

/**
 * Copies `source` (opened read-only) into a new file `temp` (O_EXCL: never an existing one), hashing the bytes as
 * they pass, so the hash describes exactly what was written. The copy keeps the source's mtime. On any failure
 * the temp file is removed. Not flushed: callers fsync outside their I/O slot, so flushes overlap with copies.
 */
export async function copyToNewFile(
  source: FsPath,
  temp: string,
  opts: { signal?: AbortSignal | undefined; onBytes?: (n: number) => void },
): Promise<CopyResult> {
  const src = await fsp.open(source, 'r');
  let dst: fsp.FileHandle | null = null;
  try {
    const sourceStat = await src.stat();
    dst = await fsp.open(temp, 'wx');
    const hash = crypto.createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      const { bytesRead } = await src.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      let written = 0;
      while (written < bytesRead) {
        const { bytesWritten } = await dst.write(buf, written, bytesRead - written);
        written += bytesWritten;
      }
      size += bytesRead;
      opts.onBytes?.(bytesRead);
    }
    await dst.utimes(sourceStat.atime, sourceStat.mtime);
    await dst.close();
    dst = null;
    return { sha256: hash.digest('hex'), size, sourceStat };
  } catch (err) {
    if (dst) {
      await dst.close().catch(() => undefined);
      dst = null;
    }
    await unlinkIfExists(temp).catch(() => undefined);
    throw err;
  } finally {
    await src.close();
  }
}

/**
 * Gives the complete file `temp` the name `target` only if no such name exists — EEXIST otherwise, never a
 * replaced file (POSIX rename() would silently replace). A hard link where the filesystem has them; elsewhere
 * (FAT, exFAT) `target` is first created empty with O_EXCL, claiming the name, and `temp` renamed over that
 * placeholder. Returns which way was used.
 */
export async function publishExclusive(temp: string, target: string, opts: { keepTemp?: boolean; noLinks?: boolean } = {}): Promise<'link' | 'reserve'> {
  if (!opts.noLinks) {
    try {
      await fsp.link(temp, target);
      if (!opts.keepTemp) await unlinkIfExists(temp);
      return 'link';
    } catch (err) {
      if (!LINK_UNSUPPORTED_ERRNOS.has(errnoOf(err) ?? '')) throw err;
    }
  }
  await reserveAndRename(temp, target, opts.keepTemp ?? false);
  return 'reserve';
}

/** The no-hard-link way: claim `target` with an empty O_EXCL file, then rename (or copy) `temp` over it. */
export async function reserveAndRename(temp: string, target: string, keepTemp = false): Promise<void> {
  await (await fsp.open(target, 'wx')).close();
  try {
    if (keepTemp) await fsp.copyFile(temp, target);
    else await fsp.rename(temp, target);
  } catch (err) {
    await unlinkIfExists(target);
    throw err;
  }
}

/** Whether `dir`'s filesystem can hard-link (FAT and exFAT cannot). */
export async function supportsHardLinks(dir: string): Promise<boolean> {
  const probe = path.join(dir, `.photocluster-probe-${process.pid}-${Date.now()}.tmp`);
  await fsp.writeFile(probe, '');
  try {
    await fsp.link(probe, `${probe}.link`);
    await unlinkIfExists(`${probe}.link`);
    return true;
  } catch (err) {
    if (LINK_UNSUPPORTED_ERRNOS.has(errnoOf(err) ?? '')) return false;
    throw err;
  } finally {
    await unlinkIfExists(probe);
  }
}

/** Writes a small file of our own durably and atomically (temp + fsync + rename; only for files we own). */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const fh = await fsp.open(temp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(temp, file);
}
