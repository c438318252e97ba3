// The on-disk cache of decoded artefacts, keyed by content hash: copies and moved files share one entry, and
// training reads model inputs from here instead of decoding originals again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ownProcessStart, recordedProcessAlive } from '../processIdentity.js';

export const THUMBNAIL_MAX_SIDE = 320;
export const MODEL_INPUT_SIZE = 96;
/** Raw uint8 RGB, row-major HWC. */
export const MODEL_INPUT_BYTES = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE * 3;

const HASH_RE = /^[0-9a-f]{64}$/;

function shardedPath(cacheDir: string, kind: string, hash: string, ext: string): string {
  if (!HASH_RE.test(hash)) throw new Error(`not a sha256 hex digest: ${JSON.stringify(hash)}`);
  return path.join(cacheDir, kind, hash.slice(0, 2), `${hash}.${ext}`);
}

/** `<cacheDir>/thumbs/<hash[0:2]>/<hash>.webp` — WebP, longest side 320 px, EXIF orientation applied. */
export function thumbnailPath(cacheDir: string, hash: string): string {
  return shardedPath(cacheDir, 'thumbs', hash, 'webp');
}

/** `<cacheDir>/inputs/<hash[0:2]>/<hash>.rgb` — 96×96×3 uint8 HWC, centre crop ('cover'). */
export function modelInputPath(cacheDir: string, hash: string): string {
  return shardedPath(cacheDir, 'inputs', hash, 'rgb');
}

function tempDir(cacheDir: string): string {
  return path.join(cacheDir, 'tmp');
}

/** Reads a cached model input; throws if it is absent or not exactly 96×96×3 bytes. */
export async function readModelInput(cacheDir: string, hash: string): Promise<Uint8Array> {
  const file = modelInputPath(cacheDir, hash);
  const data = await fs.promises.readFile(file);
  if (data.length !== MODEL_INPUT_BYTES) {
    throw new Error(`model input ${file} has ${data.length} bytes, expected ${MODEL_INPUT_BYTES}; re-scan the library to rebuild it`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** True when both artefacts exist and the model input has the right size (a crash can leave neither half-written). */
export function hasCachedArtefacts(cacheDir: string, hash: string): boolean {
  const input = fs.statSync(modelInputPath(cacheDir, hash), { throwIfNoEntry: false });
  if (!input || input.size !== MODEL_INPUT_BYTES) return false;
  return fs.statSync(thumbnailPath(cacheDir, hash), { throwIfNoEntry: false }) !== undefined;
}

/** Shard folders known to exist: 256 per kind, so asking the file system again for every photo is waste. */
const madeDirs = new Set<string>();

/**
 * Who owns a temp file: `<pid>.<start>` with the process start stamp's `:` made file-name safe (`nostart` where the
 * system gives none). A pid alone would not do: after a crash and a reboot another program may hold that pid, and
 * its temp files would then never be swept.
 */
function tempOwner(): string {
  return `${process.pid}.${ownProcessStart()?.replace(':', '_') ?? 'nostart'}`;
}

/** The process a temp file name says wrote it; null for names of no live writer (older versions used the pid alone). */
export function tempFileOwner(name: string): { pid: number; start: string | null } | null {
  const m = name.match(/^(\d+)\.([0-9a-f-]+_\d+|nostart)\.[0-9a-f]+\.tmp$/);
  return m ? { pid: Number(m[1]), start: m[2] === 'nostart' ? null : m[2]!.replace('_', ':') } : null;
}

/**
 * Crash-safe write: the data goes to a temp file in `<cacheDir>/tmp` (same file system) and is renamed into place,
 * so a reader sees either nothing or the whole file. Temp names carry their process's identity so stale ones can be
 * swept.
 */
export async function writeCacheFile(cacheDir: string, file: string, data: Uint8Array): Promise<void> {
  const tmp = path.join(tempDir(cacheDir), `${tempOwner()}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const dir = path.dirname(file);
  if (!madeDirs.has(dir)) {
    await fs.promises.mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  await fs.promises.writeFile(tmp, data);
  try {
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/** Creates the cache layout and removes temp files left by processes that died mid-write. */
export function prepareCacheDir(cacheDir: string): void {
  const tmp = tempDir(cacheDir);
  fs.mkdirSync(tmp, { recursive: true });
  for (const name of fs.readdirSync(tmp)) {
    const owner = tempFileOwner(name);
    if (!owner || !recordedProcessAlive(owner.pid, owner.start)) fs.rmSync(path.join(tmp, name), { force: true });
  }
}
