/**
 * `photocluster serve` for real, on the repro: a FIFO named p.jpg and a link to /dev/zero named zero.jpg (the
 * scan records both as not regular files). Their previews must be refused at once — six at a time — while thumbnails
 * keep coming, and SIGTERM must stop the server.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeJpeg, writeFixture } from './fixtures/images.js';
import { CLI, REPO_ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const PROMPT_MS = 3000;
let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
});

/** Starts `serve` and resolves with its address and token once it prints them. */
function serve(db: string, env: NodeJS.ProcessEnv): Promise<{ base: string; token: string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--db', db], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out);
      if (m) resolve({ base: m[1]!, token: m[2]!, exited });
    });
    proc.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its address: ${out}`)));
  });
}

it('refuses previews of a FIFO and of /dev/zero at once, keeps serving thumbnails, and stops on SIGTERM', async () => {
  const tmp = fs.realpathSync(tempDir('pc-cli-serve-'));
  const lib = path.join(tmp, 'lib');
  writeFixture(lib, 'good.jpg', await makeJpeg({ width: 120, height: 90, seed: 1 }));
  execFileSync('mkfifo', [path.join(lib, 'p.jpg')]);
  fs.symlinkSync('/dev/zero', path.join(lib, 'zero.jpg'));
  const db = path.join(tmp, 'data', 'library.db');
  const env = { ...process.env, HOME: tmp };
  const scan = await runCli(['scan', lib, '--db', db, '--json'], { env });
  expect(JSON.parse(scan.stdout)).toMatchObject({ added: 1, failed: 2 });

  const { base, token, exited } = await serve(db, env);
  const auth = { Authorization: `Bearer ${token}` };
  const api = async (method: string, args: unknown) =>
    (await (await fetch(`${base}/api/${method}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(args) })).json()) as {
      result: any;
    };
  const libraryId = (await api('listLibraries', {})).result[0].id as number;
  const idOf = new Map<string, number>();
  for (const filter of ['all', 'failed']) {
    for (const p of (await api('listPhotos', { libraryId, filter })).result.items as Array<{ id: number; relPath: string }>) idOf.set(p.relPath, p.id);
  }
  const get = async (p: string) => {
    const started = performance.now();
    const res = await fetch(`${base}${p}`, { headers: auth, signal: AbortSignal.timeout(10_000) });
    const body = res.headers.get('content-type')?.startsWith('text/') ? await res.text() : '';
    return { status: res.status, type: res.headers.get('content-type'), body, ms: performance.now() - started };
  };

  const previews = await Promise.all([
    ...Array.from({ length: 6 }, () => get(`/preview/${idOf.get('p.jpg')}`)),
    ...Array.from({ length: 2 }, () => get(`/preview/${idOf.get('zero.jpg')}`)),
  ]);
  for (const p of previews) {
    expect(p.status).toBe(409);
    expect(p.body).toMatch(/not a regular file/);
    expect(p.ms).toBeLessThan(PROMPT_MS);
  }
  const thumb = await get(`/thumb/${idOf.get('good.jpg')}`);
  expect(thumb).toMatchObject({ status: 200, type: 'image/webp' });
  expect(thumb.ms).toBeLessThan(PROMPT_MS);

  const stopping = performance.now();
  child!.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(performance.now() - stopping).toBeLessThan(5000);
}, 60_000);
