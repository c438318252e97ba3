// Recursive folder walk that works on raw path bytes, so names that are not valid UTF-8 survive the round trip
// through the database and can still be opened.
import fs from 'node:fs';
import path from 'node:path';

/** Extensions the scan considers (lower case). Content decides the real format; these only pick candidates. */
export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif', 'heic', 'heif', 'hif']);

/** Operating-system and NAS clutter that is never a photo (compared case-insensitively). Dot-names are skipped too. */
const JUNK_NAMES = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini', '@eadir', '#recycle', '#snapshot', '$recycle.bin', 'system volume information', '__macosx']);

export interface WalkedFile {
  /** Path under the root, '/'-separated, raw bytes. */
  rel: Buffer;
  abs: Buffer;
  size: number;
  mtimeMs: number;
}

/** An image-named entry that cannot be a photo (broken link, loop, special file): recorded as a failed photo. */
export interface WalkFileIssue {
  rel: Buffer;
  reason: string;
}

/** A folder that could not be walked; photos known under it are left as they are rather than marked missing. */
export interface WalkDirIssue {
  rel: Buffer;
  reason: string;
}

export interface WalkResult {
  files: WalkedFile[];
  fileIssues: WalkFileIssue[];
  dirIssues: WalkDirIssue[];
}

export interface WalkOptions {
  signal?: AbortSignal | undefined;
  /** Folders (absolute) never entered, e.g. the cache when it lives inside the library. */
  exclude?: readonly string[];
  onFolder?: (found: number, rel: Buffer) => void;
}

const SLASH = Buffer.from('/');

export function joinPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 0 ? Buffer.from(name) : Buffer.concat([dir, SLASH, name]);
}

/** The form shown to people: UTF-8, with invalid bytes replaced by U+FFFD. */
export function displayPath(rel: Buffer): string {
  return rel.toString('utf8');
}

/** True when the bytes are exactly what a JS string would encode back to (so the string path opens this file). */
export function isLosslessUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/** A stored `rel` (raw, '/'-separated) under `root` as an absolute path in bytes, so a name that is not UTF-8 still opens. */
export function absolutePathBytes(root: string, rel: Buffer): Buffer {
  const native = path.sep === '/' ? rel : Buffer.from(rel.toString('utf8').split('/').join(path.sep));
  return Buffer.concat([Buffer.from(root + path.sep), native]);
}

export function hasImageExtension(name: Buffer): boolean {
  const dot = name.lastIndexOf(0x2e);
  if (dot <= 0) return false;
  return IMAGE_EXTENSIONS.has(name.subarray(dot + 1).toString('latin1').toLowerCase());
}

export function isSkippedName(name: Buffer): boolean {
  return name[0] === 0x2e || JUNK_NAMES.has(name.toString('latin1').toLowerCase());
}

function dirKey(st: fs.Stats): string {
  return `${st.dev}:${st.ino}`;
}

function errnoReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no longer exists';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENAMETOOLONG':
      return 'path too long for the operating system';
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? e);
  }
}

const STAT_BATCH = 64;

/**
 * Walks `root` depth-first in byte order of names (so results are deterministic). Follows symbolic links to files
 * and folders; a folder link pointing at a folder that contains it is a loop and is reported, a folder reached a
 * second time elsewhere (an alias) is silently not walked twice.
 */
export async function walkLibrary(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const result: WalkResult = { files: [], fileIssues: [], dirIssues: [] };
  const visited = new Set<string>();
  const excluded = new Set<string>();
  for (const dir of opts.exclude ?? []) {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st) excluded.add(dirKey(st));
  }
  const rootAbs = Buffer.from(root);
  const rootSt = await fs.promises.stat(rootAbs);
  // Folders reached through links wait until the real tree is walked, so a photo is recorded under its real
  // path when it has one, whatever the names sort like.
  const linked: { abs: Buffer; rel: Buffer; ancestors: string[] }[] = [];
  await walkDir(rootAbs, Buffer.alloc(0), [dirKey(rootSt)]);
  for (let i = 0; i < linked.length; i++) {
    const d = linked[i]!;
    if (!visited.has(d.ancestors[d.ancestors.length - 1]!)) await walkDir(d.abs, d.rel, d.ancestors);
  }
  return result;

  async function walkDir(abs: Buffer, rel: Buffer, ancestors: string[]): Promise<void> {
    opts.signal?.throwIfAborted();
    visited.add(ancestors[ancestors.length - 1]!);
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = await fs.promises.readdir(abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      result.dirIssues.push({ rel, reason: `cannot read folder: ${errnoReason(err)}` });
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const subdirs: { abs: Buffer; rel: Buffer; key: string }[] = [];
    const wanted = entries.filter((e) => !isSkippedName(e.name) && (e.isDirectory() || e.isSymbolicLink() || hasImageExtension(e.name)));
    for (let i = 0; i < wanted.length; i += STAT_BATCH) {
      const batch = wanted.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(
        batch.map((e) =>
          fs.promises.stat(joinPath(abs, e.name)).then(
            (st) => ({ st, err: undefined }),
            (err: unknown) => ({ st: undefined, err }),
          ),
        ),
      );
      batch.forEach((entry, j) => {
        const { st, err } = stats[j]!;
        const childAbs = joinPath(abs, entry.name);
        const childRel = joinPath(rel, entry.name);
        const isImage = hasImageExtension(entry.name);
        if (!st) {
          if (!isImage) return; // a dangling link named "notes" is none of our business
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' && !entry.isSymbolicLink()) return; // deleted between listing and stat
          const reason = entry.isSymbolicLink()
            ? code === 'ENOENT'
              ? `broken symbolic link: its target ${readLinkTarget(childAbs)} does not exist`
              : code === 'ELOOP'
                ? 'symbolic link loop: the link chain never reaches a file'
                : `symbolic link cannot be followed: ${errnoReason(err)}`
            : `cannot read file information: ${errnoReason(err)}`;
          result.fileIssues.push({ rel: childRel, reason });
          return;
        }
        if (st.isDirectory()) {
          const key = dirKey(st);
          if (excluded.has(key)) return;
          if (ancestors.includes(key)) {
            result.dirIssues.push({ rel: childRel, reason: 'symbolic link loop: this folder link points back to a folder that contains it' });
            return;
          }
          if (visited.has(key)) return;
          if (entry.isSymbolicLink()) linked.push({ abs: childAbs, rel: childRel, ancestors: [...ancestors, key] });
          else subdirs.push({ abs: childAbs, rel: childRel, key });
          return;
        }
        if (!isImage) return;
        if (!st.isFile()) {
          result.fileIssues.push({ rel: childRel, reason: 'not a regular file (device, pipe or socket)' });
          return;
        }
        result.files.push({ rel: childRel, abs: childAbs, size: st.size, mtimeMs: st.mtimeMs });
      });
    }
    opts.onFolder?.(result.files.length, rel);
    for (const d of subdirs) {
      if (visited.has(d.key)) continue;
      await walkDir(d.abs, d.rel, [...ancestors, d.key]);
    }
  }
}

function readLinkTarget(link: Buffer): string {
  try {
    return JSON.stringify(fs.readlinkSync(link, { encoding: 'buffer' }).toString('utf8'));
  } catch {
    return '(unreadable)';
  }
}
