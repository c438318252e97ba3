// Downloads a registry backbone into `<modelsDir>/<id>/`: resumable (HTTP Range on `.part` files), sha256-verified,
// renamed into place atomically, with progress, cancellation and typed errors a UI can explain.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type BackboneFile, type BackboneSpec, getBackbone } from './registry.js';

// ---------------------------------------------------------------------------------------------------------------
// Errors

export type DownloadErrorCode = 'offline' | 'http-status' | 'not-found' | 'checksum' | 'disk-full' | 'interrupted' | 'aborted' | 'io';

export class BackboneDownloadError extends Error {
  override name = 'BackboneDownloadError';
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly details: { backboneId: string; file?: string; url?: string; status?: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
  }
}

/** No connection to the source: DNS failure, connection refused/reset, unreachable network, timeout. */
export class OfflineError extends BackboneDownloadError {
  override name = 'OfflineError';
}
/** The server answered with a status other than 200/206; code 'not-found' for 404 (`details.status` has it). */
export class HttpStatusError extends BackboneDownloadError {
  override name = 'HttpStatusError';
}
/** A local source directory lacks the file. */
export class SourceFileMissingError extends BackboneDownloadError {
  override name = 'SourceFileMissingError';
}
/** The finished file's size or sha256 differs from the registry; the bad file has been deleted. */
export class ChecksumMismatchError extends BackboneDownloadError {
  override name = 'ChecksumMismatchError';
}
/** No space left on the device (ENOSPC/EDQUOT, or too little free space to start). */
export class DiskFullError extends BackboneDownloadError {
  override name = 'DiskFullError';
}
/** The connection closed before the file was complete; the partial file is kept and the next try resumes. */
export class DownloadInterruptedError extends BackboneDownloadError {
  override name = 'DownloadInterruptedError';
}
export class DownloadAbortedError extends BackboneDownloadError {
  override name = 'DownloadAbortedError';
}

const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const INTERRUPTED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE']);
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** The errno-style code of an error or of any error in its `cause` chain (fetch wraps socket errors). */
export function errorCodeChain(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** Maps a low-level failure to the typed error the UI shows. */
export function classifyError(err: unknown, ctx: { backboneId: string; file?: string; url?: string; signal?: AbortSignal }): BackboneDownloadError {
  if (err instanceof BackboneDownloadError) return err;
  const details = { backboneId: ctx.backboneId, file: ctx.file, url: ctx.url, cause: err };
  if (ctx.signal?.aborted || (err as Error)?.name === 'AbortError') {
    return new DownloadAbortedError('aborted', `download of ${ctx.backboneId} cancelled`, details);
  }
  const codes = errorCodeChain(err);
  const where = ctx.url ? ` (${ctx.url})` : '';
  if (codes.some((c) => DISK_FULL_CODES.has(c))) {
    return new DiskFullError('disk-full', `no space left on the disk while saving ${ctx.backboneId}/${ctx.file ?? ''}; free some space and try again`, details);
  }
  if (codes.some((c) => OFFLINE_CODES.has(c))) {
    return new OfflineError('offline', `cannot reach the model server${where}: ${codes[0]} — check the internet connection or set PHOTOCLUSTER_MODELS_URL to a local copy`, details);
  }
  if (codes.some((c) => INTERRUPTED_CODES.has(c)) || (err as Error)?.message === 'terminated') {
    return new DownloadInterruptedError('interrupted', `connection closed while downloading ${ctx.file ?? ctx.backboneId}${where}; retrying resumes where it stopped`, details);
  }
  if (err instanceof TypeError && err.message === 'fetch failed') {
    return new OfflineError('offline', `cannot reach the model server${where}`, details);
  }
  return new BackboneDownloadError('io', `downloading ${ctx.backboneId}/${ctx.file ?? ''} failed: ${(err as Error)?.message ?? String(err)}`, details);
}

// ---------------------------------------------------------------------------------------------------------------
// Options

export interface DownloadProgress {
  backboneId: string;
  /** The file being transferred. */
  file: string;
  fileBytes: number;
  fileTotal: number;
  /** Bytes present for the whole backbone (resumed and skipped files count), and the backbone's total. */
  bytes: number;
  total: number;
}

/** The filesystem writes the downloader makes, injectable so tests can simulate a full disk. */
export interface DownloadFs {
  createWriteStream(file: string, opts: { flags: 'w' | 'a' }): Writable;
  /** Free bytes on the device holding `dir`, or null when unknown. */
  freeBytes(dir: string): Promise<number | null>;
}

export const nodeDownloadFs: DownloadFs = {
  createWriteStream: (file, opts) => fs.createWriteStream(file, opts),
  async freeBytes(dir) {
    try {
      const s = await fsp.statfs(dir);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      return null;
    }
  },
};

export interface EnsureBackboneOptions {
  /** Parent of the per-backbone folders (resolveDataPaths().modelsDir). */
  modelsDir: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Where files come from: a base URL (`<base>/<id>/<file>`) or a local directory with the same layout.
   *  Default: PHOTOCLUSTER_MODELS_URL, else each file's registry URL. */
  source?: string;
  /** Extra attempts per file after a dropped connection (each resumes with a Range request). Default 2. */
  retries?: number;
  /** Registry entry to use instead of looking `id` up (tests, custom backbones). */
  spec?: BackboneSpec;
  fs?: DownloadFs;
  /** Minimum interval between progress events for one file (the last event of each file is always sent). */
  progressIntervalMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Verified stamp: lets start-up trust an installed backbone after a stat per file instead of re-hashing 10 MB.

const STAMP = '.verified.json';

interface Stamp {
  id: string;
  /** mtimeMs is floored: sub-millisecond digits do not survive every filesystem and utimes. */
  files: { name: string; bytes: number; sha256: string; mtimeMs: number }[];
}

async function stampIsValid(dir: string, spec: BackboneSpec): Promise<boolean> {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await fsp.readFile(path.join(dir, STAMP), 'utf8')) as Stamp;
  } catch {
    return false;
  }
  if (stamp.id !== spec.id) return false;
  for (const f of spec.files) {
    const s = stamp.files.find((x) => x.name === f.name);
    if (!s || s.sha256 !== f.sha256 || s.bytes !== f.bytes) return false;
    const st = await fsp.stat(path.join(dir, f.name)).catch(() => null);
    if (!st || st.size !== f.bytes || Math.floor(st.mtimeMs) !== s.mtimeMs) return false;
  }
  return true;
}

async function writeStamp(dir: string, spec: BackboneSpec): Promise<void> {
  const files = await Promise.all(
    spec.files.map(async (f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256, mtimeMs: Math.floor((await fsp.stat(path.join(dir, f.name))).mtimeMs) })),
  );
  const tmp = path.join(dir, `${STAMP}.tmp`);
  await fsp.writeFile(tmp, JSON.stringify({ id: spec.id, files } satisfies Stamp, null, 2));
  await fsp.rename(tmp, path.join(dir, STAMP));
}

async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

async function fileSize(file: string): Promise<number | null> {
  const st = await fsp.stat(file).catch(() => null);
  return st ? st.size : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Sources

type Source = { kind: 'registry' } | { kind: 'url'; base: string } | { kind: 'dir'; dir: string };

export function parseSource(value: string | undefined): Source {
  if (!value) return { kind: 'registry' };
  if (/^https?:\/\//i.test(value)) return { kind: 'url', base: value.replace(/\/+$/, '') };
  if (/^file:\/\//i.test(value)) return { kind: 'dir', dir: fileURLToPath(value) };
  return { kind: 'dir', dir: path.resolve(value) };
}

function fileUrl(source: Source, spec: BackboneSpec, file: BackboneFile): string {
  if (source.kind === 'url') return `${source.base}/${encodeURIComponent(spec.id)}/${encodeURIComponent(file.name)}`;
  return file.url;
}

// ---------------------------------------------------------------------------------------------------------------
// One file

interface FileJob {
  spec: BackboneSpec;
  file: BackboneFile;
  dir: string;
  source: Source;
  opts: EnsureBackboneOptions;
  dfs: DownloadFs;
  /** Bytes of the backbone's other files already present. */
  doneBefore: number;
  total: number;
}

function progressCounter(job: FileJob, start: number): Transform & { flush(): void } {
  let fileBytes = start;
  let last = 0;
  const interval = job.opts.progressIntervalMs ?? 100;
  const emit = () => {
    last = Date.now();
    job.opts.onProgress?.({
      backboneId: job.spec.id,
      file: job.file.name,
      fileBytes,
      fileTotal: job.file.bytes,
      bytes: job.doneBefore + fileBytes,
      total: job.total,
    });
  };
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fileBytes += chunk.length;
      if (fileBytes > job.file.bytes) {
        cb(new ChecksumMismatchError('checksum', `${job.spec.id}/${job.file.name} is larger than the registry's ${job.file.bytes} bytes`, { backboneId: job.spec.id, file: job.file.name }));
        return;
      }
      if (Date.now() - last >= interval) emit();
      cb(null, chunk);
    },
  }) as Transform & { flush(): void };
  t.flush = emit;
  return t;
}

/** Transfers the rest of `<name>.part` from an HTTP(S) URL, resuming with a Range request when part of it exists. */
async function transferHttp(job: FileJob, part: string, url: string): Promise<void> {
  const have = (await fileSize(part)) ?? 0;
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) headers.range = `bytes=${have}-`;
  const ctx = { backboneId: job.spec.id, file: job.file.name, url, signal: job.opts.signal };
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: job.opts.signal, redirect: 'follow' });
  } catch (err) {
    throw classifyError(err, ctx);
  }
  let start: number;
  if (res.status === 206) {
    const m = (res.headers.get('content-range') ?? '').match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
    start = m ? Number(m[1]) : -1;
    if (start !== have) {
      // A server that answers a different range than asked: start over rather than splice wrong bytes.
      await res.body?.cancel();
      await fsp.rm(part, { force: true });
      return transferHttp(job, part, url);
    }
  } else if (res.status === 200) {
    start = 0; // no Range support (or no partial file): whole file from the start
  } else if (res.status === 416 && have > 0) {
    // Our partial file is already complete (or longer than the server's): verification decides.
    await res.body?.cancel();
    return;
  } else {
    await res.body?.cancel();
    throw new HttpStatusError(
      res.status === 404 ? 'not-found' : 'http-status',
      res.status === 404 ? `the model server has no ${url} (404)` : `model server answered ${res.status} ${res.statusText} for ${url}`,
      { backboneId: job.spec.id, file: job.file.name, url, status: res.status },
    );
  }
  if (!res.body) throw new DownloadInterruptedError('interrupted', `empty response for ${url}`, { backboneId: job.spec.id, file: job.file.name, url });
  const counter = progressCounter(job, start);
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, job.dfs.createWriteStream(part, { flags: start === 0 ? 'w' : 'a' }), {
      signal: job.opts.signal,
    });
  } catch (err) {
    throw classifyError(err, ctx);
  }
  counter.flush();
  const size = (await fileSize(part)) ?? 0;
  if (size < job.file.bytes) {
    throw new DownloadInterruptedError('interrupted', `connection closed after ${size} of ${job.file.bytes} bytes of ${job.file.name}; retrying resumes`, {
      backboneId: job.spec.id,
      file: job.file.name,
      url,
    });
  }
}

async function transferLocal(job: FileJob, part: string, dir: string): Promise<void> {
  const from = path.join(dir, job.spec.id, job.file.name);
  const ctx = { backboneId: job.spec.id, file: job.file.name, url: from, signal: job.opts.signal };
  if ((await fileSize(from)) === null) {
    throw new SourceFileMissingError('not-found', `the local model source has no ${from}`, { backboneId: job.spec.id, file: job.file.name, url: from });
  }
  const counter = progressCounter(job, 0);
  try {
    await pipeline(fs.createReadStream(from), counter, job.dfs.createWriteStream(part, { flags: 'w' }), { signal: job.opts.signal });
  } catch (err) {
    throw classifyError(err, ctx);
  }
  counter.flush();
}

async function verifyAndInstall(job: FileJob, part: string, final: string): Promise<void> {
  const size = (await fileSize(part)) ?? 0;
  const hash = size === job.file.bytes ? await sha256File(part, job.opts.signal) : null;
  if (hash !== job.file.sha256) {
    await fsp.rm(part, { force: true });
    throw new ChecksumMismatchError(
      'checksum',
      size !== job.file.bytes
        ? `${job.spec.id}/${job.file.name}: got ${size} bytes, expected ${job.file.bytes}; the file was deleted`
        : `${job.spec.id}/${job.file.name}: sha256 ${hash} does not match the registry's ${job.file.sha256}; the file was deleted`,
      { backboneId: job.spec.id, file: job.file.name },
    );
  }
  await fsp.rename(part, final);
}

async function fetchFile(job: FileJob): Promise<void> {
  const final = path.join(job.dir, job.file.name);
  const part = `${final}.part`;
  const retries = job.opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      if (job.source.kind === 'dir') await transferLocal(job, part, job.source.dir);
      else await transferHttp(job, part, fileUrl(job.source, job.spec, job.file));
      await verifyAndInstall(job, part, final);
      return;
    } catch (raw) {
      const err = classifyError(raw, { backboneId: job.spec.id, file: job.file.name, signal: job.opts.signal });
      // A full disk leaves nothing behind (the partial file only takes space the user needs), and bytes that can
      // no longer match the registry are never kept.
      if (err instanceof DiskFullError || err instanceof ChecksumMismatchError) await fsp.rm(part, { force: true });
      if (err instanceof DownloadInterruptedError && attempt < retries && !job.opts.signal?.aborted) {
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        continue;
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Public entry points

/** Where a backbone lives once installed. */
export function backboneDir(modelsDir: string, id: string): string {
  return path.join(modelsDir, id);
}

/** True when the backbone is installed and its verified stamp still matches every file (no hashing). */
export async function isBackboneInstalled(id: string, modelsDir: string, spec = getBackbone(id)): Promise<boolean> {
  return stampIsValid(backboneDir(modelsDir, id), spec);
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Makes sure backbone `id` is present and verified under `<modelsDir>/<id>/` and returns that directory.
 * Already-installed backbones return after a stat per file. Concurrent calls for the same directory share one
 * download. Throws a BackboneDownloadError subclass on failure; a partial file from a dropped connection is kept
 * so the next call resumes it.
 */
export function ensureBackbone(id: string, opts: EnsureBackboneOptions): Promise<string> {
  const dir = backboneDir(opts.modelsDir, id);
  const running = inFlight.get(dir);
  if (running) return running;
  const p = doEnsure(id, dir, opts).finally(() => inFlight.delete(dir));
  inFlight.set(dir, p);
  return p;
}

async function doEnsure(id: string, dir: string, opts: EnsureBackboneOptions): Promise<string> {
  const spec = opts.spec ?? getBackbone(id);
  if (await stampIsValid(dir, spec)) return dir;
  const dfs = opts.fs ?? nodeDownloadFs;
  const source = parseSource(opts.source ?? process.env.PHOTOCLUSTER_MODELS_URL);
  await fsp.mkdir(dir, { recursive: true });
  const total = spec.files.reduce((s, f) => s + f.bytes, 0);

  // Files already in place are trusted only after hashing them (this runs when the stamp is missing or stale).
  const present = new Set<string>();
  for (const f of spec.files) {
    const final = path.join(dir, f.name);
    if ((await fileSize(final)) === f.bytes && (await sha256File(final, opts.signal)) === f.sha256) present.add(f.name);
    else await fsp.rm(final, { force: true });
  }
  let done = spec.files.filter((f) => present.has(f.name)).reduce((s, f) => s + f.bytes, 0);
  const partBytes = await Promise.all(spec.files.filter((f) => !present.has(f.name)).map(async (f) => (await fileSize(path.join(dir, `${f.name}.part`))) ?? 0));
  const needed = total - done - partBytes.reduce((a, b) => a + b, 0);
  const free = await dfs.freeBytes(dir);
  if (free !== null && free < needed) {
    throw new DiskFullError('disk-full', `need ${needed} bytes for ${id} but only ${free} are free in ${dir}`, { backboneId: id });
  }
  for (const file of spec.files) {
    if (present.has(file.name)) continue;
    if (opts.signal?.aborted) throw classifyError(opts.signal.reason, { backboneId: id, signal: opts.signal });
    await fetchFile({ spec, file, dir, source, opts, dfs, doneBefore: done, total });
    done += file.bytes;
  }
  await writeStamp(dir, spec);
  return dir;
}
