import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BackboneServer, closedPort, startBackboneServer } from '../../../test/backboneServer.js';
import { sharedDir } from '../../paths.js';
import {
  ChecksumMismatchError,
  classifyError,
  DiskFullError,
  DownloadAbortedError,
  DownloadInterruptedError,
  type DownloadFs,
  type DownloadProgress,
  ensureBackbone,
  HttpStatusError,
  isBackboneInstalled,
  nodeDownloadFs,
  OfflineError,
  SourceFileMissingError,
} from './download.js';
import { getBackbone } from './registry.js';

const ID = 'mobilenet_v2_1.0_224_int8_tflite';
const TFLITE = 'tf2_mobilenet_v2_1.0_224_ptq.tflite';
const spec = getBackbone(ID);
const sharedModels = path.join(sharedDir(), 'models');

let server: BackboneServer;
let modelsDir: string;

beforeAll(async () => {
  server = await startBackboneServer(sharedModels);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-models-'));
  server.setMode(() => 'ok');
  server.requests.length = 0;
});
afterEach(() => {
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

const files = (dir: string) => fs.readdirSync(dir).sort();
const sameBytes = (a: string, b: string) => Buffer.compare(fs.readFileSync(a), fs.readFileSync(b)) === 0;

describe('ensureBackbone over HTTP', () => {
  it('downloads, verifies and reports progress; a second call makes no request', async () => {
    const events: DownloadProgress[] = [];
    const dir = await ensureBackbone(ID, { modelsDir, source: server.baseUrl, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    expect(dir).toBe(path.join(modelsDir, ID));
    expect(files(dir)).toEqual(['.verified.json', ...spec.files.map((f) => f.name)].sort());
    for (const f of spec.files) expect(sameBytes(path.join(dir, f.name), path.join(sharedModels, ID, f.name))).toBe(true);
    const total = spec.files.reduce((s, f) => s + f.bytes, 0);
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((e, i) => i === 0 || e.bytes >= events[i - 1]!.bytes)).toBe(true);
    expect(events.at(-1)).toMatchObject({ bytes: total, total });
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(spec.files.map((f) => f.name)));
    expect(server.requests.map((r) => r.url).sort()).toEqual(spec.files.map((f) => `/${ID}/${f.name}`).sort());

    server.requests.length = 0;
    expect(await ensureBackbone(ID, { modelsDir, source: server.baseUrl })).toBe(dir);
    expect(server.requests).toEqual([]);
    expect(await isBackboneInstalled(ID, modelsDir)).toBe(true);
  });

  it('trusts the verified stamp without re-hashing, and re-verifies a file whose mtime changed', async () => {
    const dir = await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    const file = path.join(dir, TFLITE);
    const st = fs.statSync(file);
    // Same size and mtime: start-up trusts the stamp (proof that it did not hash: the flipped byte goes unnoticed).
    const bytes = fs.readFileSync(file);
    bytes[100] = bytes[100]! ^ 1;
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, st.atimeMs / 1000, st.mtimeMs / 1000);
    expect(await isBackboneInstalled(ID, modelsDir)).toBe(true);
    // A different mtime invalidates the stamp: the file is hashed, found bad and fetched again.
    fs.utimesSync(file, st.atimeMs / 1000, st.mtimeMs / 1000 + 5);
    expect(await isBackboneInstalled(ID, modelsDir)).toBe(false);
    server.requests.length = 0;
    await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    expect(server.requests.map((r) => r.url)).toEqual([`/${ID}/${TFLITE}`]);
    expect(sameBytes(file, path.join(sharedModels, ID, TFLITE))).toBe(true);
  });

  it('keeps the partial file when the server closes mid-file and resumes it with a Range request', async () => {
    server.setMode((f, attempt) => (f === TFLITE && attempt === 0 ? 'cut' : 'ok'));
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl, retries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadInterruptedError);
    expect(err.code).toBe('interrupted');
    const part = path.join(modelsDir, ID, `${TFLITE}.part`);
    const partSize = fs.statSync(part).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(spec.files[0]!.bytes);
    expect(fs.existsSync(path.join(modelsDir, ID, TFLITE))).toBe(false);

    await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    const resumed = server.requests.filter((r) => r.url.endsWith(TFLITE)).at(-1)!;
    expect(resumed).toMatchObject({ range: `bytes=${partSize}-`, status: 206 });
    expect(sameBytes(path.join(modelsDir, ID, TFLITE), path.join(sharedModels, ID, TFLITE))).toBe(true);
    expect(fs.existsSync(part)).toBe(false);
  });

  it('retries a dropped connection by itself', async () => {
    server.setMode((f, attempt) => (f === TFLITE && attempt < 2 ? 'cut' : 'ok'));
    await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    const statuses = server.requests.filter((r) => r.url.endsWith(TFLITE)).map((r) => r.status);
    expect(statuses).toEqual([200, 206, 206]);
    expect(await isBackboneInstalled(ID, modelsDir)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    server.setMode((f, attempt) => (f === TFLITE && attempt === 0 ? 'cut' : 'no-range'));
    await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    const tries = server.requests.filter((r) => r.url.endsWith(TFLITE));
    expect(tries[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(tries[1]!.status).toBe(200);
    expect(sameBytes(path.join(modelsDir, ID, TFLITE), path.join(sharedModels, ID, TFLITE))).toBe(true);
  });

  it('reports 404 and other statuses with the status code', async () => {
    server.setMode((f) => (f === 'LICENSE' ? 'not-found' : 'ok'));
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err).toMatchObject({ code: 'not-found', details: { status: 404, file: 'LICENSE' } });
    expect(await isBackboneInstalled(ID, modelsDir)).toBe(false);

    server.setMode(() => 'server-error');
    const err2 = await ensureBackbone(ID, { modelsDir, source: server.baseUrl }).catch((e) => e);
    expect(err2).toMatchObject({ code: 'http-status', details: { status: 503 } });
  });

  it('deletes a file whose checksum does not match', async () => {
    server.setMode((f) => (f === TFLITE ? 'wrong-bytes' : 'ok'));
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl }).catch((e) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err.message).toMatch(/sha256 .* does not match/);
    const left = files(path.join(modelsDir, ID));
    expect(left.some((f) => f.startsWith(TFLITE))).toBe(false);
  });

  it('stops a file that grows past its registry size and deletes it', async () => {
    const small = structuredClone(spec);
    small.files = small.files.filter((f) => f.name === 'LICENSE').map((f) => ({ ...f, bytes: 1000 }));
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl, spec: small }).catch((e) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err.message).toMatch(/larger than the registry's 1000 bytes/);
    expect(files(path.join(modelsDir, ID))).toEqual([]);
  });

  it('says offline when the connection is refused', async () => {
    const port = await closedPort();
    const err = await ensureBackbone(ID, { modelsDir, source: `http://127.0.0.1:${port}` }).catch((e) => e);
    expect(err).toBeInstanceOf(OfflineError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toMatch(/PHOTOCLUSTER_MODELS_URL/);
  });

  it('stops on abort and keeps what it has for a later resume', async () => {
    server.setMode(() => 'slow');
    const ac = new AbortController();
    const err = await ensureBackbone(ID, {
      modelsDir,
      source: server.baseUrl,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => p.fileBytes > 8192 && ac.abort(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadAbortedError);
    const kept = fs.statSync(path.join(modelsDir, ID, `${TFLITE}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    server.setMode(() => 'ok');
    await ensureBackbone(ID, { modelsDir, source: server.baseUrl });
    expect(server.requests.filter((r) => r.url.endsWith(TFLITE)).at(-1)).toMatchObject({ range: `bytes=${kept}-`, status: 206 });
  });

  it('shares one download between concurrent calls', async () => {
    const [a, b] = await Promise.all([ensureBackbone(ID, { modelsDir, source: server.baseUrl }), ensureBackbone(ID, { modelsDir, source: server.baseUrl })]);
    expect(a).toBe(b);
    expect(server.requests.filter((r) => r.url.endsWith(TFLITE))).toHaveLength(1);
  });
});

describe('ensureBackbone on a full disk', () => {
  /** A write stream that fails with ENOSPC once `limit` bytes have been written in total, as a full device does. */
  function fullDiskFs(limit: number): DownloadFs {
    let written = 0;
    return {
      freeBytes: async () => null,
      createWriteStream(file, opts) {
        const real = fs.createWriteStream(file, opts);
        return new Writable({
          write(chunk: Buffer, _enc, cb) {
            if (written + chunk.length > limit) {
              cb(Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
              return;
            }
            written += chunk.length;
            real.write(chunk, cb);
          },
          final(cb) {
            real.end(cb);
          },
          destroy(err, cb) {
            real.destroy();
            cb(err);
          },
        });
      },
    };
  }

  it('fails with DiskFullError when a write hits ENOSPC and leaves no partial file', async () => {
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl, fs: fullDiskFs(256 * 1024) }).catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.message).toMatch(/no space left/);
    expect(files(path.join(modelsDir, ID)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  // A real full device where this machine allows it (root may mount a 1 MiB tmpfs); the injected layer above
  // covers the same path everywhere.
  const tmpfs = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-tmpfs-'));
  const mounted = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tmpfs]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [tmpfs]);
    fs.rmSync(tmpfs, { recursive: true, force: true });
  });

  it.runIf(mounted)('maps a real ENOSPC from a full 1 MiB tmpfs to DiskFullError', async () => {
    const err = await ensureBackbone(ID, { modelsDir: tmpfs, source: server.baseUrl, fs: { ...nodeDownloadFs, freeBytes: async () => null } }).catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.details.cause.code).toBe('ENOSPC');
    expect(fs.readdirSync(path.join(tmpfs, ID)).filter((f) => f.endsWith('.part'))).toEqual([]);
    // With the real free-space check, the same download is refused before a byte is fetched.
    server.requests.length = 0;
    const early = await ensureBackbone(ID, { modelsDir: tmpfs, source: server.baseUrl }).catch((e) => e);
    expect(early).toBeInstanceOf(DiskFullError);
    expect(early.message).toMatch(/are free/);
    expect(server.requests).toEqual([]);
  });

  it('refuses to start when the free space reported by the disk is too small', async () => {
    const err = await ensureBackbone(ID, { modelsDir, source: server.baseUrl, fs: { ...nodeDownloadFs, freeBytes: async () => 1000 } }).catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.message).toMatch(/only 1000 are free/);
    expect(server.requests).toEqual([]);
  });
});

describe('ensureBackbone from a local directory', () => {
  it('copies and verifies the TF.js default backbone', async () => {
    const dir = await ensureBackbone('mobilenet_v1_0.75_224', { modelsDir, source: sharedModels });
    const v1 = getBackbone('mobilenet_v1_0.75_224');
    expect(files(dir)).toEqual(['.verified.json', ...v1.files.map((f) => f.name)].sort());
    expect(await isBackboneInstalled('mobilenet_v1_0.75_224', modelsDir)).toBe(true);
  });

  it('honours PHOTOCLUSTER_MODELS_URL and names a missing file', async () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-src-'));
    fs.mkdirSync(path.join(src, ID));
    fs.copyFileSync(path.join(sharedModels, ID, TFLITE), path.join(src, ID, TFLITE));
    const prev = process.env.PHOTOCLUSTER_MODELS_URL;
    process.env.PHOTOCLUSTER_MODELS_URL = src;
    try {
      const err = await ensureBackbone(ID, { modelsDir }).catch((e) => e);
      expect(err).toBeInstanceOf(SourceFileMissingError);
      expect(err.message).toContain(path.join(src, ID, 'imagenet_labels.txt'));
      // The file that was there has been installed, so a retry only fetches the rest.
      expect(fs.existsSync(path.join(modelsDir, ID, TFLITE))).toBe(true);
    } finally {
      if (prev === undefined) delete process.env.PHOTOCLUSTER_MODELS_URL;
      else process.env.PHOTOCLUSTER_MODELS_URL = prev;
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
});

describe('classifyError', () => {
  const ctx = { backboneId: 'x', url: 'https://example.invalid/m' };
  it('finds socket codes inside fetch errors', () => {
    const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND example.invalid'), { code: 'ENOTFOUND' }) });
    expect(classifyError(dns, ctx)).toBeInstanceOf(OfflineError);
    const reset = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classifyError(reset, ctx)).toBeInstanceOf(DownloadInterruptedError);
    expect(classifyError(Object.assign(new Error('x'), { code: 'EDQUOT' }), ctx)).toBeInstanceOf(DiskFullError);
    expect(classifyError(new Error('weird'), ctx).code).toBe('io');
  });
});
