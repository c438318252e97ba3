/**
 * Test helpers for the export engine: photo-like files with known hashes in temp dirs, and ways to look at what
 * an export left on disk.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ExportInput, ExportMode, ExportSourceFile } from '../core/service/export/index.js';
import { STATE_DIR_NAME } from '../core/service/export/index.js';

export function sha256Of(file: string | Buffer): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A fresh directory under `base` (default os.tmpdir()); remove with `removeDirs`. */
export function tempDir(prefix: string, base = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(base, `pc-${prefix}-`));
}

export function removeDirs(...dirs: string[]): void {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

/** `dir(prefix, base?)` makes a temp dir that is removed after each test of the calling file. */
export function useTempDirs(): (prefix: string, base?: string) => string {
  const dirs: string[] = [];
  afterEach(() => removeDirs(...dirs.splice(0)));
  return (prefix, base) => {
    const d = tempDir(prefix, base);
    dirs.push(d);
    return d;
  };
}

/** JPEG-like bytes (SOI … EOI around random data): unique content, so each photo's hash is unique. */
export function photoBytes(size: number): Buffer {
  const buf = crypto.randomBytes(Math.max(size, 4));
  buf[0] = 0xff;
  buf[1] = 0xd8;
  buf[buf.length - 2] = 0xff;
  buf[buf.length - 1] = 0xd9;
  return buf;
}

/** Writes a photo and describes it as the library would (scan-time size, mtime and sha256). */
export function writePhoto(file: string, size: number, photoId: number, mtime = new Date('2021-06-01T12:00:00Z')): ExportSourceFile {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return writeAndDescribe(file, size, photoId, mtime);
}

/** Latin-1 "café.jpg": the 0xe9 alone is not valid UTF-8, so no JS string names this file. */
export const LATIN1_NAME = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]);

/**
 * `writePhoto` under a name given as raw bytes, described as the library does such a file: `sourcePath` is the
 * text (U+FFFD for the invalid bytes), `sourceFsPath` the bytes that open it.
 */
export function writeRawNamedPhoto(dir: string, name: Buffer, size: number, photoId: number, mtime = new Date('2021-06-01T12:00:00Z')): ExportSourceFile & { sourceFsPath: Buffer } {
  fs.mkdirSync(dir, { recursive: true });
  const file = Buffer.concat([Buffer.from(dir + path.sep), name]);
  return { ...writeAndDescribe(file, size, photoId, mtime), sourceFsPath: file };
}

function writeAndDescribe(file: string | Buffer, size: number, photoId: number, mtime: Date): ExportSourceFile {
  fs.writeFileSync(file, photoBytes(size));
  fs.utimesSync(file, mtime, mtime);
  return describePhoto(file, photoId);
}

export function describePhoto(file: string | Buffer, photoId: number): ExportSourceFile {
  const st = fs.statSync(file);
  const where = typeof file === 'string' ? { sourcePath: file } : { sourcePath: file.toString('utf8'), sourceFsPath: file };
  return { photoId, ...where, size: st.size, mtimeMs: st.mtimeMs, sha256: sha256Of(file) };
}

/** `count` photos spread over `folders` sub-folders of `root`, named IMG_0000.jpg… (so names repeat across folders). */
export function makeLibrary(root: string, count: number, opts: { folders?: number; size?: () => number } = {}): ExportSourceFile[] {
  const folders = opts.folders ?? 2;
  const size = opts.size ?? (() => 20_000 + Math.floor(Math.random() * 20_000));
  return Array.from({ length: count }, (_, i) => {
    const name = `IMG_${String(Math.floor(i / folders)).padStart(4, '0')}.jpg`;
    return writePhoto(path.join(root, `folder${i % folders}`, name), size(), i + 1);
  });
}

export function exportInput(destination: string, mode: ExportMode, groups: Record<string, ExportSourceFile[]>): ExportInput {
  return { destination, mode, groups: Object.entries(groups).map(([name, files]) => ({ name, files })) };
}

/** Every entry under `dir`, relative, recursively (symlinks listed, not followed). */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** The exported files a user sees: no hidden files, nothing of the export's state folder, no manifests. */
export function visibleExportedFiles(destination: string): string[] {
  return listTree(destination).filter(
    (r) =>
      !r.startsWith(STATE_DIR_NAME + path.sep) &&
      !path.basename(r).startsWith('photocluster-manifest-') &&
      !path.basename(r).startsWith('.'),
  );
}

/** Files our export left behind mid-way (temp files of any export). */
export function tempFiles(destination: string): string[] {
  return listTree(destination).filter((r) => path.basename(r).startsWith('.photocluster-') && r.endsWith('.tmp'));
}

/** A second filesystem for cross-device cases (tmpfs), when this machine has one. */
export function otherFilesystem(): string | null {
  const candidate = '/dev/shm';
  try {
    return fs.statSync(candidate).dev !== fs.statSync(os.tmpdir()).dev ? candidate : null;
  } catch {
    return null;
  }
}

/**
 * A folder on a filesystem without hard links (FAT/exFAT, like most USB sticks), named by
 * PHOTOCLUSTER_TEST_NOLINK_DIR. On Linux as root: `truncate -s 256M x.img && mkfs.exfat x.img &&
 * mount.exfat-fuse $(losetup -f --show x.img) /mnt/x` (Debian packages exfat-fuse, exfatprogs).
 */
export function noLinkFilesystem(): string | null {
  return process.env.PHOTOCLUSTER_TEST_NOLINK_DIR || null;
}
