import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { makeBadFiles } from '../../test/fixtures/badFiles.js';
import { HEIC_FIXTURE, makeImage, makeJpeg, sha256File, writeFixture } from '../../test/fixtures/images.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { openDatabase, type Database } from '../store/db.js';
import { listPhotos, type PhotoRow } from '../store/photos.js';
import { listScanRuns } from '../store/scanRuns.js';
import { sqlValue } from '../store/testing.js';
import { MODEL_INPUT_BYTES, modelInputPath, readModelInput, thumbnailPath } from './cache.js';
import { ScanBusyError, ScanRootError, scanLibrary, type ScanOptions, type ScanProgress } from './scan.js';

interface Env {
  root: string;
  cacheDir: string;
  db: Database;
  scan: (extra?: Partial<ScanOptions>) => ReturnType<typeof scanLibrary>;
  photos: () => PhotoRow[];
  byPath: (p: string) => PhotoRow | undefined;
}

function setup(): Env {
  const dir = tempDir();
  const root = path.join(dir, 'photos');
  fs.mkdirSync(root);
  const cacheDir = path.join(dir, 'cache');
  const db = openDatabase(path.join(dir, 'pc.db'));
  const photos = () => listPhotos(db, 1);
  return {
    root,
    cacheDir,
    db,
    scan: (extra = {}) => scanLibrary({ db, root, cacheDir, concurrency: 2, ...extra }),
    photos,
    byPath: (p) => photos().find((r) => r.display_path === p),
  };
}

const ZERO = { added: 0, changed: 0, moved: 0, missing: 0, duplicates: 0, failed: 0, errors: [] };

function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (d: Buffer) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true, encoding: 'buffer' })) {
      const p = Buffer.concat([d, Buffer.from('/'), e.name]);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        try {
          out.set(p.toString('latin1'), sha256File(p));
        } catch {
          out.set(p.toString('latin1'), `unreadable:${fs.statSync(p).mode}`);
        }
      }
    }
  };
  visit(Buffer.from(dir));
  return out;
}

describe('scanLibrary', () => {
  it('ingests every supported format once, with cache artefacts keyed by content', async () => {
    const env = setup();
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif'] as const) {
      writeFixture(env.root, `formats/photo.${format === 'jpeg' ? 'jpg' : format}`, await makeImage(format, { width: 120, height: 90, seed: format.length * 7 }));
    }
    fs.copyFileSync(HEIC_FIXTURE, path.join(env.root, 'phone.HEIC'));
    writeFixture(env.root, 'rotated.jpg', await makeJpeg({ width: 80, height: 40, orientation: 6, exif: { make: 'Canon', model: 'R5', takenAt: '2020:01:02 03:04:05' } }));

    const summary = await env.scan();
    expect(summary).toMatchObject({ library: 1, scanned: 8, added: 8, ...{ changed: 0, moved: 0, missing: 0, duplicates: 0, failed: 0, errors: [] } });
    expect(summary.seconds).toBeGreaterThan(0);

    const rows = env.photos();
    expect(rows.map((r) => r.format).sort()).toEqual(['avif', 'gif', 'heic', 'jpeg', 'jpeg', 'png', 'tiff', 'webp']);
    expect(env.byPath('rotated.jpg')).toMatchObject({ width: 40, height: 80, camera_make: 'Canon', camera_model: 'R5', taken_at: '2020-01-02T03:04:05', status: 'ok' });
    expect(env.byPath('phone.HEIC')).toMatchObject({ width: 64, height: 48, format: 'heic', camera_model: 'HEIC-1' });
    for (const r of rows) {
      expect(r.content_hash).toBe(sha256File(path.join(env.root, r.display_path)));
      expect(fs.statSync(thumbnailPath(env.cacheDir, r.content_hash!)).size).toBeGreaterThan(0);
      expect((await readModelInput(env.cacheDir, r.content_hash!)).length).toBe(MODEL_INPUT_BYTES);
    }
    expect(sqlValue(env.db, 'SELECT COUNT(*) FROM thumbnails')).toBe(8);
    expect(listScanRuns(env.db, 1).map((r) => r.state)).toEqual(['completed']);
  });

  it('re-scans unchanged files without opening them', async () => {
    const env = setup();
    for (let i = 0; i < 5; i++) writeFixture(env.root, `p${i}.jpg`, await makeJpeg({ width: 48, height: 32, seed: 100 + i }));
    await env.scan();
    const open = vi.spyOn(fs.promises, 'open');
    try {
      expect(await env.scan()).toMatchObject({ scanned: 5, ...ZERO });
      expect(open).not.toHaveBeenCalled();
    } finally {
      open.mockRestore();
    }
  });

  it('recognises added, modified, moved, deleted, copied and restored photos, keeping ids', async () => {
    const env = setup();
    const a = writeFixture(env.root, 'a.jpg', await makeJpeg({ width: 48, height: 32, seed: 1 }));
    writeFixture(env.root, 'b.jpg', await makeJpeg({ width: 48, height: 32, seed: 2 }));
    writeFixture(env.root, 'c.jpg', await makeJpeg({ width: 48, height: 32, seed: 3 }));
    writeFixture(env.root, 'd.jpg', await makeJpeg({ width: 48, height: 32, seed: 4 }));
    expect(await env.scan()).toMatchObject({ added: 4 });
    const ids = Object.fromEntries(env.photos().map((r) => [r.display_path, r.id]));
    const oldHashA = env.byPath('a.jpg')!.content_hash;

    writeFixture(env.root, 'e.jpg', await makeJpeg({ width: 48, height: 32, seed: 5 })); // added
    fs.writeFileSync(a, await makeJpeg({ width: 64, height: 64, seed: 11 })); // modified in place
    fs.mkdirSync(path.join(env.root, 'moved'));
    fs.renameSync(path.join(env.root, 'b.jpg'), path.join(env.root, 'moved', 'b-renamed.jpg')); // moved
    const dBytes = fs.readFileSync(path.join(env.root, 'd.jpg'));
    fs.rmSync(path.join(env.root, 'd.jpg')); // deleted
    fs.copyFileSync(path.join(env.root, 'c.jpg'), path.join(env.root, 'c copy.jpg')); // duplicate

    expect(await env.scan()).toMatchObject({ scanned: 5, added: 2, changed: 1, moved: 1, missing: 1, duplicates: 1, failed: 0 });
    expect(env.byPath('a.jpg')).toMatchObject({ id: ids['a.jpg'], width: 64, height: 64, status: 'ok' });
    expect(env.byPath('a.jpg')!.content_hash).not.toBe(oldHashA);
    expect(env.byPath('moved/b-renamed.jpg')).toMatchObject({ id: ids['b.jpg'], status: 'ok' });
    expect(env.byPath('b.jpg')).toBeUndefined();
    expect(env.byPath('d.jpg')).toMatchObject({ id: ids['d.jpg'], status: 'missing' });
    expect(env.byPath('c copy.jpg')).toMatchObject({ duplicate_of: ids['c.jpg'] });
    expect(env.byPath('c.jpg')!.duplicate_of).toBeNull();
    expect(env.photos()).toHaveLength(6);

    // Nothing new: missing stays missing without being counted again.
    expect(await env.scan()).toMatchObject({ scanned: 5, ...ZERO });

    // The deleted file comes back (elsewhere): same id, found by its hash.
    writeFixture(env.root, 'back/d.jpg', dBytes);
    expect(await env.scan()).toMatchObject({ moved: 1, missing: 0, added: 0 });
    expect(env.byPath('back/d.jpg')).toMatchObject({ id: ids['d.jpg'], status: 'ok' });

    // Deleting the first copy promotes the second; only a touch (same bytes, new mtime) is not a change.
    fs.rmSync(path.join(env.root, 'c.jpg'));
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(env.root, 'e.jpg'), later, later);
    const thumbsBefore = sqlValue(env.db, 'SELECT COUNT(*) FROM thumbnails');
    expect(await env.scan()).toMatchObject({ missing: 1, changed: 0, added: 0, duplicates: 0 });
    expect(env.byPath('c copy.jpg')!.duplicate_of).toBeNull();
    expect(env.byPath('e.jpg')!.mtime_ms).toBe(fs.statSync(path.join(env.root, 'e.jpg')).mtimeMs);
    expect(sqlValue(env.db, 'SELECT COUNT(*) FROM thumbnails')).toBe(thumbsBefore);
  });

  it('records every kind of bad input with a reason and goes on, touching no original', async () => {
    const env = setup();
    const manifest = await makeBadFiles(env.root);
    writeFixture(env.root, 'ok.jpg', await makeJpeg({ width: 48, height: 32, seed: 900 }));
    writeFixture(env.root, 'vanishing.jpg', await makeJpeg({ width: 48, height: 32, seed: 901 }));
    const asRoot = process.getuid?.() === 0;
    const before = hashTree(env.root);

    const events: ScanProgress[] = [];
    const summary = await env.scan({
      onProgress: (p) => {
        // The walk has listed the file; it disappears before it is read.
        if (p.phase === 'processing' && !events.some((e) => e.phase === 'processing')) fs.rmSync(path.join(env.root, 'vanishing.jpg'));
        events.push(p);
      },
    });

    const reasons = new Map(summary.errors.map((e) => [e.path, e.reason]));
    for (const bad of manifest.bad) expect(reasons.get(bad.path), bad.path).toMatch(bad.reason);
    expect(reasons.get('vanishing.jpg')).toMatch(/disappeared during the scan/);
    if (!asRoot) expect(reasons.get(manifest.unreadable.path)).toMatch(manifest.unreadable.reason); // as root: see test/cli-scan.test.ts
    expect(summary.failed).toBe(summary.errors.length);
    expect(summary.failed).toBe(manifest.bad.length + 1 + (asRoot ? 0 : 1));

    for (const bad of manifest.bad.filter((b) => b.photoRow)) {
      expect(env.byPath(bad.path), bad.path).toMatchObject({ status: 'error', error: expect.stringMatching(bad.reason) });
    }
    for (const good of manifest.good) {
      const row = env.photos().find((r) => r.rel_path.equals(good.raw));
      expect(row, good.path).toMatchObject({ status: 'ok', display_path: good.path, width: 40, height: 30 });
    }
    expect(env.byPath('ok.jpg')!.status).toBe('ok');
    expect(env.byPath('vanishing.jpg')).toBeUndefined();
    const stored = env.photos().map((r) => r.display_path);
    for (const skipped of manifest.skipped) expect(stored.some((p) => p.endsWith(path.basename(skipped)))).toBe(false);
    expect(stored.some((p) => p.startsWith('nested/back-up/'))).toBe(false);

    // Unchanged bad files are reported again with their stored reason, without being decoded again.
    const again = await env.scan();
    expect(again.errors.filter((e) => e.path !== 'vanishing.jpg').map((e) => e.path)).toEqual(
      summary.errors.filter((e) => e.path !== 'vanishing.jpg').map((e) => e.path),
    );
    expect(again).toMatchObject({ added: 0, changed: 0, missing: 0 });

    const after = hashTree(env.root);
    before.delete(Buffer.from(path.join(env.root, 'vanishing.jpg')).toString('latin1'));
    expect(after).toEqual(before);
    expect(events[0]!.phase).toBe('walking');
    expect(events.at(-1)).toMatchObject({ phase: 'processing', done: summary.scanned, total: summary.scanned });
  });

  it('follows symlinks to files and folders without walking anything twice', async () => {
    const env = setup();
    const outside = tempDir();
    writeFixture(outside, 'elsewhere.jpg', await makeJpeg({ width: 40, height: 30, seed: 31 }));
    writeFixture(env.root, 'real/one.jpg', await makeJpeg({ width: 40, height: 30, seed: 32 }));
    fs.symlinkSync(path.join(outside, 'elsewhere.jpg'), path.join(env.root, 'linked.jpg'));
    fs.symlinkSync('real', path.join(env.root, 'alias'));
    fs.symlinkSync(outside, path.join(env.root, 'outside'));
    const summary = await env.scan();
    expect(summary).toMatchObject({ added: 3, duplicates: 1, failed: 0 });
    expect(env.photos().map((r) => r.display_path).sort()).toEqual(['linked.jpg', 'outside/elsewhere.jpg', 'real/one.jpg']);
  });

  it('keeps its own cache out of the library when it lives inside the folder', async () => {
    const env = setup();
    writeFixture(env.root, 'p.jpg', await makeJpeg({ width: 40, height: 30 }));
    const inside = path.join(env.root, 'cache');
    expect(await env.scan({ cacheDir: inside })).toMatchObject({ scanned: 1, added: 1 });
    expect(fs.readdirSync(path.join(inside, 'thumbs'))).toHaveLength(1);
    expect(await env.scan({ cacheDir: inside })).toMatchObject({ scanned: 1, ...ZERO });
  });

  it('stops on abort with a consistent database, and the next scan finishes the job', async () => {
    const env = setup();
    for (let i = 0; i < 12; i++) writeFixture(env.root, `p${String(i).padStart(2, '0')}.jpg`, await makeJpeg({ width: 64, height: 48, seed: 500 + i }));
    const controller = new AbortController();
    await expect(
      env.scan({
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'processing' && p.done >= 3) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    const partial = env.photos();
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(12);
    for (const r of partial) {
      expect(r.status).toBe('ok');
      expect(fs.existsSync(modelInputPath(env.cacheDir, r.content_hash!))).toBe(true);
    }
    expect(listScanRuns(env.db, 1).map((r) => r.state)).toEqual(['cancelled']);
    expect(env.db.pragma('integrity_check', { simple: true })).toBe('ok');

    const rest = await env.scan();
    expect(rest).toMatchObject({ scanned: 12, added: 12 - partial.length, missing: 0, failed: 0 });
    expect(new Set(env.photos().map((r) => r.display_path)).size).toBe(12);
    expect(env.photos().map((r) => r.id).slice(0, partial.length)).toEqual(partial.map((r) => r.id));
  });

  it('refuses a second concurrent scan of the same library and unusable roots', async () => {
    const env = setup();
    for (let i = 0; i < 4; i++) writeFixture(env.root, `p${i}.jpg`, await makeJpeg({ width: 64, height: 48, seed: 700 + i }));
    const first = env.scan();
    await new Promise((r) => setTimeout(r, 5));
    await expect(env.scan()).rejects.toBeInstanceOf(ScanBusyError);
    await first;
    await expect(env.scan({ root: path.join(env.root, 'nope') })).rejects.toThrow(/folder not found/);
    const file = writeFixture(env.root, 'file.jpg', 'x').toString();
    await expect(env.scan({ root: file })).rejects.toBeInstanceOf(ScanRootError);
  });
});
