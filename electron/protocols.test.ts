import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, type MediaSource } from '../core/media.js';
import { createAppProtocolHandler, createThumbProtocolHandler, desktopContentSecurityPolicy, PRIVILEGED_SCHEMES } from './protocols.js';

let tmp: string;
let rendererDir: string;
let cacheDir: string;
const SECRET = 'top secret outside every root';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-protocols-'));
  rendererDir = path.join(tmp, 'renderer');
  cacheDir = path.join(tmp, 'cache');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>PhotoCluster</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app-1234.js'), 'console.log(1)');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(rendererDir, 'assets', 'leak.txt'));
  fs.mkdirSync(path.join(cacheDir, 'ab'), { recursive: true });
  fs.writeFileSync(path.join(cacheDir, 'ab', 'abcd.webp'), 'RIFF....WEBP');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(cacheDir, 'ab', 'evil.webp'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => new Request(url, { method });

describe('app: protocol (the renderer)', () => {
  it('serves index.html and assets with their types, our CSP and no-sniff', async () => {
    const handle = createAppProtocolHandler(rendererDir);
    const index = await handle(get('app://photocluster/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(desktopContentSecurityPolicy());
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>PhotoCluster</title>');
    const asset = await handle(get('app://photocluster/assets/app-1234.js'));
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
  });

  it('answers client-side routes with the app shell and missing files with 404', async () => {
    const handle = createAppProtocolHandler(rendererDir);
    expect(await (await handle(get('app://photocluster/library/3/groups'))).text()).toContain('PhotoCluster');
    expect((await handle(get('app://photocluster/assets/missing.js'))).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    const handle = createAppProtocolHandler(rendererDir);
    const attempts = [
      'app://photocluster/../secret.txt',
      'app://photocluster/%2e%2e/secret.txt',
      'app://photocluster/assets/..%2f..%2fsecret.txt',
      'app://photocluster/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://photocluster/%2fetc%2fpasswd',
      `app://photocluster/${encodeURIComponent(path.join(tmp, 'secret.txt'))}`,
      'app://photocluster/assets/leak.txt',
      'app://photocluster/index.html%00.js',
      'app://photocluster/%E0%A4%A',
    ];
    for (const url of attempts) {
      const res = await handle(get(url));
      const body = await res.text();
      expect(body, url).not.toContain(SECRET);
      // Either refused or the app shell for an extensionless route; never the file.
      expect([200, 404], url).toContain(res.status);
      if (res.status === 200) expect(body, url).toContain('<title>PhotoCluster</title>');
    }
  });

  it('refuses other hosts and methods that write', async () => {
    const handle = createAppProtocolHandler(rendererDir);
    expect((await handle(get('app://elsewhere/index.html'))).status).toBe(404);
    expect((await handle(new Request('app://photocluster/', { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handle(get('app://photocluster/', 'HEAD'));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('thumb: protocol (photos by opaque id)', () => {
  const thumbs: Record<number, string> = { 12: 'ab/abcd.webp', 66: 'ab/evil.webp' };
  const asked: number[] = [];
  const media: MediaSource = {
    async thumbnailFile(id) {
      asked.push(id);
      if (id === 77) return path.join(tmp, 'secret.txt');
      if (id === 78) return path.join(cacheDir, '..', 'secret.txt');
      return thumbs[id] ? path.join(cacheDir, thumbs[id]) : null;
    },
    async previewImage(id) {
      if (id === 14) throw new MediaError(409, 'the last scan could not use this photo (not a regular file)');
      return id === 12 ? { body: Buffer.from('JPEGDATA'), contentType: 'image/jpeg' } : null;
    },
  };

  it('serves a thumbnail and a preview by id', async () => {
    const handle = createThumbProtocolHandler({ media, cacheDir });
    const thumb = await handle(get('thumb://thumb/12'));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(await thumb.text()).toBe('RIFF....WEBP');
    const preview = await handle(get('thumb://preview/12'));
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    expect(await preview.text()).toBe('JPEGDATA');
    expect((await handle(get('thumb://thumb/13'))).status).toBe(404);
    expect((await handle(get('thumb://preview/13'))).status).toBe(404);
    // A photo that cannot be shown gets the core's status and reason, as in browser mode.
    const refused = await handle(get('thumb://preview/14'));
    expect(refused.status).toBe(409);
    expect(await refused.text()).toBe('Cannot show this photo: the last scan could not use this photo (not a regular file)\n');
  });

  it('accepts only a plain decimal id: no paths, no tricks', async () => {
    const handle = createThumbProtocolHandler({ media, cacheDir });
    asked.length = 0;
    const bad = [
      'thumb://thumb/',
      'thumb://thumb/0',
      'thumb://thumb/012',
      'thumb://thumb/-1',
      'thumb://thumb/1.5',
      'thumb://thumb/1e3',
      'thumb://thumb/0x10',
      'thumb://thumb/%31%32',
      'thumb://thumb/12abc',
      'thumb://thumb/12/..',
      'thumb://thumb/99999999999999999999',
      'thumb://thumb/..%2fsecret.txt',
      'thumb://thumb/ab%2fabcd.webp',
    ];
    for (const url of bad) {
      const res = await handle(get(url));
      expect([400, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toContain('RIFF');
    }
    // None of these reached the service as an id other than a valid one.
    expect(asked.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
    expect((await handle(get('thumb://elsewhere/12'))).status).toBe(404);
    expect((await handle(new Request('thumb://thumb/12', { method: 'PUT', body: 'x' }))).status).toBe(405);
  });

  it('refuses a file outside the thumbnail cache even when the service names it', async () => {
    const log: string[] = [];
    const handle = createThumbProtocolHandler({ media, cacheDir, log: (l) => log.push(l) });
    for (const id of [66, 77, 78]) {
      const res = await handle(get(`thumb://thumb/${id}`));
      expect(res.status, String(id)).toBe(403);
      expect(await res.text()).not.toContain(SECRET);
    }
    expect(log).toHaveLength(3);
  });
});

describe('scheme privileges and CSP', () => {
  it('registers both schemes as standard and secure, without bypassing CSP', () => {
    for (const { privileges } of PRIVILEGED_SCHEMES) {
      expect(privileges.standard).toBe(true);
      expect(privileges.secure).toBe(true);
      expect('bypassCSP' in privileges).toBe(false);
    }
  });

  it('allows nothing inline, no eval, no remote origins, and images only from us and thumb:', () => {
    const csp = desktopContentSecurityPolicy();
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['img-src']).toContain('thumb:');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});
