/**
 * `/preview/<id>` reads originals; nothing a file or a disk does may hang it or the rest of the server. A real library
 * (real JPEGs, a FIFO, a /dev/zero link, files swapped after the scan) scanned into a real database, served by the
 * browser-mode server. Each case asserts a prompt answer with a reason, and that thumbnails, the API and other photos
 * are served meanwhile.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followJob } from '../core/cli/serviceSession.js';
import { resolveDataPaths } from '../core/paths.js';
import { startServer, type RunningServer } from '../core/server/server.js';
import { createMediaSource, type MediaOptions } from '../core/service/media.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { openDatabase, type Database } from '../core/store/db.js';
import { makeJpeg, writeFixture } from './fixtures/images.js';

const DEADLINE_MS = 1000;
const WAIT_MS = 200;
/** "Prompt" on a shared, loaded test machine: well under a browser's patience, far from "never". */
const PROMPT_MS = 2500;

let tmp: string;
let root: string;
let service: Service;
let db: Database;
let server: RunningServer;
const ids = new Map<string, number>();
/** Opening anything named slow*.jpg waits on this FIFO: a libuv thread really stuck, like a read on a hung disk. */
let hungDisk: string;

/** Opens originals as the app does, except the "slow" ones: those block a thread until the FIFO gets a writer. */
const openWithHungDisk: MediaOptions['open'] = (file, flags) =>
  /\/slow[^/]*\.jpg$/.test(Buffer.from(file).toString()) ? fsp.open(hungDisk, 'r') : fsp.open(file, flags);

/** Lets every open stuck on the hung disk go on (it then finds a FIFO, not a photo, and gives up). */
function reviveDisk(): void {
  try {
    fs.closeSync(fs.openSync(hungDisk, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err; // nobody is waiting
  }
}

async function get(server: RunningServer, p: string): Promise<{ status: number; type: string | null; text: string; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${server.url.slice(0, -1)}${p}`, { headers: { Authorization: `Bearer ${server.token}` }, signal: AbortSignal.timeout(10_000) });
  const type = res.headers.get('content-type');
  const text = type?.startsWith('text/') ? await res.text() : String((await res.arrayBuffer()).byteLength);
  return { status: res.status, type, text, ms: performance.now() - started };
}

/** A thumbnail, another photo's preview and an API call all answer, and quickly. */
async function expectOthersServed(opts: { preview: boolean } = { preview: true }): Promise<void> {
  const thumb = await get(server, `/thumb/${ids.get('good.jpg')}`);
  expect(thumb).toMatchObject({ status: 200, type: 'image/webp' });
  expect(thumb.ms).toBeLessThan(PROMPT_MS);
  const started = performance.now();
  const api = await fetch(`${server.url}api/listLibraries`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  });
  expect(api.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(PROMPT_MS);
  if (opts.preview) expect(await get(server, `/preview/${ids.get('good.jpg')}`)).toMatchObject({ status: 200, type: 'image/jpeg' });
}

function media(open: MediaOptions['open'] = openWithHungDisk) {
  return createMediaSource({ db, cacheDir: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }).cacheDir, limits: { deadlineMs: DEADLINE_MS, waitMs: WAIT_MS }, open });
}

beforeAll(async () => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pc-media-')));
  root = path.join(tmp, 'Photos');
  const photos = ['good.jpg', 'later-fifo.jpg', 'later-zero.jpg', 'later-huge.jpg', 'later-bigger.jpg', 'slow.jpg'];
  for (const [i, name] of photos.entries()) writeFixture(root, name, await makeJpeg({ width: 120, height: 90, seed: i + 1 }));
  execFileSync('mkfifo', [path.join(root, 'p.jpg')]);
  fs.symlinkSync('/dev/zero', path.join(root, 'zero.jpg'));
  const paths = resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') });
  service = await createService({ paths, platform: 'browser', folderRoot: tmp });
  const libraryId = (await service.addLibrary({ root })).id;
  expect((await followJob(service, await service.scanLibrary({ libraryId }), true)).result).toMatchObject({ added: photos.length, failed: 2 });
  for (const p of (await service.listPhotos({ libraryId, limit: 100 })).items) ids.set(p.relPath, p.id);
  for (const p of (await service.listPhotos({ libraryId, filter: 'failed' })).items) ids.set(p.relPath, p.id);

  // After the scan, behind its back:
  fs.rmSync(path.join(root, 'later-fifo.jpg'));
  execFileSync('mkfifo', [path.join(root, 'later-fifo.jpg')]);
  fs.rmSync(path.join(root, 'later-zero.jpg'));
  fs.symlinkSync('/dev/zero', path.join(root, 'later-zero.jpg'));
  fs.truncateSync(path.join(root, 'later-huge.jpg'), 2 ** 31); // sparse: 2 GiB that take no disk
  fs.appendFileSync(path.join(root, 'later-bigger.jpg'), Buffer.alloc(1000));
  hungDisk = path.join(tmp, 'hung-disk');
  execFileSync('mkfifo', [hungDisk]);

  db = openDatabase(paths.dbPath);
  server = await startServer({ api: service, media: media(), staticDir: null });
}, 60_000);

afterAll(async () => {
  reviveDisk();
  await server?.close();
  await service?.close();
  db?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('/preview of an original that is not a photo any more', () => {
  it('answers six requests for a FIFO at once, promptly, and serves everything else meanwhile', async () => {
    for (const name of ['p.jpg', 'later-fifo.jpg']) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get(server, `/preview/${ids.get(name)}`)));
      for (const a of answers) {
        expect(a.status, name).toBe(409);
        expect(a.text, name).toMatch(/not a regular file|no longer a regular file/);
        expect(a.ms, name).toBeLessThan(PROMPT_MS);
      }
      await expectOthersServed();
    }
  });

  it('refuses /dev/zero behind a symlink without reading from it', async () => {
    const rss = process.memoryUsage().rss;
    for (const name of ['zero.jpg', 'later-zero.jpg']) {
      const answers = await Promise.all(Array.from({ length: 3 }, () => get(server, `/preview/${ids.get(name)}`)));
      for (const a of answers) {
        expect(a.status, name).toBe(409);
        expect(a.text, name).toMatch(/regular file/);
        expect(a.ms, name).toBeLessThan(PROMPT_MS);
      }
    }
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
    await expectOthersServed();
  });

  it('refuses a file swapped for a huge one after the scan (413) and one of another size (409), before reading it', async () => {
    const huge = await get(server, `/preview/${ids.get('later-huge.jpg')}`);
    expect(huge.status).toBe(413);
    expect(huge.text).toMatch(/too large to show: it is 2147 MB, above the 256 MB limit/);
    expect(huge.ms).toBeLessThan(PROMPT_MS);
    const bigger = await get(server, `/preview/${ids.get('later-bigger.jpg')}`);
    expect(bigger.status).toBe(409);
    expect(bigger.text).toMatch(/changed since the last scan.*scan the folder again/);
    await expectOthersServed();
  });
});

describe('/preview on a disk that does not answer', () => {
  it('answers 504 at the deadline, 503 beyond the decode places, and serves thumbnails and the API meanwhile', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(server, `/preview/${ids.get('slow.jpg')}`)));

    const late = answers.filter((a) => a.status === 504);
    const busy = answers.filter((a) => a.status === 503);
    expect(late).toHaveLength(2); // the two decode places, held by reads that never return
    expect(busy).toHaveLength(4);
    for (const a of late) {
      expect(a.text).toMatch(/took longer than 1 s; its disk may be slow or disconnected/);
      expect(a.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(a.ms).toBeLessThan(DEADLINE_MS + PROMPT_MS);
    }
    for (const a of busy) {
      expect(a.text).toMatch(/try again in a moment/);
      expect(a.ms).toBeLessThan(PROMPT_MS);
    }
    // The stuck reads still hold both places: previews are turned away, everything else is served.
    await expectOthersServed({ preview: false });
    expect((await get(server, `/preview/${ids.get('good.jpg')}`)).status).toBe(503);

    reviveDisk();
    await expect.poll(async () => (await get(server, `/preview/${ids.get('good.jpg')}`)).status, { timeout: 5000 }).toBe(200);
  });

  it('shuts down promptly with such requests pending', async () => {
    const other = await startServer({ api: service, media: media(), staticDir: null });
    const pending = get(other, `/preview/${ids.get('slow.jpg')}`).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = performance.now();
    await other.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error); // the connection was closed, not left hanging
    reviveDisk();
  });
});
