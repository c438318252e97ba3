import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METHOD_NAMES, type Api, type ApiClient, type EventName, type Events } from '../api.js';
import { createWsClient } from '../client/wsClient.js';
import { startServer, type RunningServer } from './server.js';

/** A transport-level stand-in for the service: every method echoes what reached it, so tests see validation at work. */
function echoApi() {
  const calls: Array<{ method: string; args: unknown }> = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const api = {} as Record<string, unknown>;
  for (const m of METHOD_NAMES) {
    api[m] = async (args: unknown) => {
      calls.push({ method: m, args });
      if (m === 'getLibrary') throw new Error('secret internal detail /home/ann/db');
      return { echoed: m, args };
    };
  }
  api.on = (event: EventName, l: (p: unknown) => void) => {
    let s = listeners.get(event);
    if (!s) listeners.set(event, (s = new Set()));
    s.add(l);
    return () => s!.delete(l);
  };
  const emit = <E extends EventName>(event: E, payload: Events[E]) => listeners.get(event)?.forEach((l) => l(payload));
  return { api: api as unknown as Api & Pick<ApiClient, 'on'>, calls, emit, listenerCount: () => [...listeners.values()].reduce((a, s) => a + s.size, 0) };
}

function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<any> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
}

describe('browser-mode server', () => {
  let tmp: string;
  let staticDir: string;
  let server: RunningServer;
  let fake: ReturnType<typeof echoApi>;
  const thumbBytes = Buffer.from('RIFF....WEBPVP8 fake-but-opaque-bytes');
  let auth: Record<string, string>;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-server-'));
    staticDir = path.join(tmp, 'static');
    fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>PhotoCluster</title>');
    fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'TOP SECRET');
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(staticDir, 'assets', 'leak.js'));
    fs.writeFileSync(path.join(tmp, 'thumb-7.webp'), thumbBytes);
    fake = echoApi();
    server = await startServer({
      api: fake.api,
      staticDir,
      media: {
        thumbnailFile: async (id) => (id === 7 ? path.join(tmp, 'thumb-7.webp') : null),
        previewImage: async (id) => (id === 7 ? { body: Buffer.from('jpeg'), contentType: 'image/jpeg' } : null),
      },
    });
    auth = { Authorization: `Bearer ${server.token}` };
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 only and makes a long random token per launch', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
    const other = await startServer({ api: fake.api, staticDir: null, media: { thumbnailFile: async () => null, previewImage: async () => null } });
    expect(other.token).not.toBe(server.token);
    await other.close();
  });

  it('refuses every request without the token', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/thumb/7', '/preview/7']) {
      expect((await request(server.port, { path: p })).status).toBe(401);
    }
    const api = await request(server.port, { method: 'POST', path: '/api/listLibraries', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect((await request(server.port, { path: '/', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    await expect(openWs(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow(/401/);
    await expect(openWs(`ws://127.0.0.1:${server.port}/ws?token=nope`)).rejects.toThrow(/401/);
    expect(fake.calls).toHaveLength(0);
  });

  it('swaps the launch token for an HttpOnly SameSite cookie', async () => {
    const res = await request(server.port, { path: `/?token=${server.token}` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request(server.port, { path: '/', headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('PhotoCluster');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe');
    // After a restart the browser still sends the old launch's cookie: the new launch URL must win.
    const relaunch = await request(server.port, { path: `/?token=${server.token}`, headers: { Cookie: 'pc_token=stale-from-last-launch' } });
    expect(relaunch.status).toBe(303);
    expect(String(relaunch.headers['set-cookie'])).toContain(server.token);
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign origins', async () => {
    expect((await request(server.port, { path: '/', headers: { ...auth, Host: 'evil.example:80' } })).status).toBe(403);
    const post = await request(server.port, {
      method: 'POST',
      path: '/api/listLibraries',
      headers: { ...auth, 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(post.status).toBe(403);
    await expect(openWs(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('never serves a file outside the renderer directory', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '//' + path.join(tmp, 'secret.txt'),
      '/' + encodeURIComponent(path.join(tmp, 'secret.txt')),
      '/assets/app.js%00.html',
      '/assets/leak.js',
      '/assets/%E0%A4%A',
    ];
    for (const p of attempts) {
      const res = await request(server.port, { path: p, headers: auth });
      expect(res.body, p).not.toContain('TOP SECRET');
      expect([200, 400, 404], p).toContain(res.status);
      if (res.status === 200) expect(res.body, p).toContain('<title>PhotoCluster</title>'); // SPA shell, not the file
    }
    const ok = await request(server.port, { path: '/assets/app.js', headers: auth });
    expect(ok.body).toBe('console.log(1)');
    expect(ok.headers['content-type']).toMatch(/javascript/);
  });

  it('serves thumbnails only by opaque numeric id', async () => {
    const ok = await request(server.port, { path: '/thumb/7', headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/webp');
    expect(ok.body).toBe(thumbBytes.toString('utf8'));
    for (const p of ['/thumb/07', '/thumb/-1', '/thumb/7.webp', '/thumb/..%2f..%2fsecret.txt', '/thumb/1e3', '/thumb/99999999999999999999']) {
      expect((await request(server.port, { path: p, headers: auth })).status, p).toBe(400);
    }
    expect((await request(server.port, { path: '/thumb/8', headers: auth })).status).toBe(404);
    expect((await request(server.port, { path: '/preview/7', headers: auth })).headers['content-type']).toBe('image/jpeg');
  });

  it('exposes the contract over HTTP with validated arguments', async () => {
    const post = (method: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
      request(server.port, { method: 'POST', path: `/api/${method}`, headers: { ...auth, ...headers }, body });
    const ok = await post('getJob', JSON.stringify({ jobId: 3 }));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { echoed: 'getJob', args: { jobId: 3 } } });
    const before = fake.calls.length;
    expect((await post('getJob', JSON.stringify({ jobId: '3' }))).status).toBe(400);
    expect((await post('getJob', JSON.stringify({ jobId: 3, extra: 1 }))).status).toBe(400);
    expect((await post('constructor', '{}')).status).toBe(400);
    expect((await post('__proto__', '{}')).status).toBe(400);
    expect((await post('getJob', '{not json')).status).toBe(400);
    expect((await post('getJob', '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post('addLibrary', JSON.stringify({ root: '/tmp/a\u0000b' }))).status).toBe(400);
    expect((await post('getJob', JSON.stringify({ pad: 'x'.repeat(2 << 20) }))).status).toBe(413);
    expect(fake.calls.length).toBe(before);
    // Internal errors reach the client without their details.
    const failed = await post('getLibrary', JSON.stringify({ libraryId: 1 }));
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('/home/ann');
    expect((await request(server.port, { path: '/api/getJob', headers: auth })).status).toBe(405);
  });

  it('answers malformed and oversized WebSocket messages with errors and stays up', async () => {
    const ws = await openWs(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    ws.send('{oops');
    expect(await nextMessage(ws)).toMatchObject({ id: null, ok: false, error: { code: 'bad_request' } });
    ws.send(JSON.stringify({ method: 'getJob', args: { jobId: 1 } }));
    expect(await nextMessage(ws)).toMatchObject({ id: null, ok: false });
    ws.send(JSON.stringify({ id: 5, method: 'nope' }));
    expect(await nextMessage(ws)).toMatchObject({ id: 5, ok: false, error: { code: 'bad_request' } });
    ws.send(JSON.stringify({ id: 6, method: 'getJob', args: { jobId: -1 } }));
    expect(await nextMessage(ws)).toMatchObject({ id: 6, ok: false, error: { code: 'bad_request' } });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextMessage(ws)).toMatchObject({ ok: false });
    ws.send(JSON.stringify({ id: 7, method: 'getJob', args: { pad: 'x'.repeat(2 << 20) } }));
    expect(await nextMessage(ws)).toMatchObject({ id: null, ok: false, error: { message: 'message too large' } });
    ws.send(JSON.stringify({ id: 8, method: 'getJob', args: { jobId: 2 } }));
    expect(await nextMessage(ws)).toEqual({ id: 8, ok: true, result: { echoed: 'getJob', args: { jobId: 2 } } });
    // Far too large: the socket is closed with 1009, and the server keeps serving others.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(10 << 20));
    expect(await closed).toBe(1009);
    const again = await openWs(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    again.send(JSON.stringify({ id: 1, method: 'listLibraries', args: {} }));
    expect(await nextMessage(again)).toMatchObject({ id: 1, ok: true });
    again.close();
  });

  it('gives the typed client every method and the events, and unsubscribes closed sockets', async () => {
    const client = createWsClient({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}`, WebSocketImpl: WebSocket as never });
    await client.ready();
    for (const m of METHOD_NAMES) expect(typeof client[m], m).toBe('function');
    expect(await client.getJob({ jobId: 9 })).toEqual({ echoed: 'getJob', args: { jobId: 9 } });
    await expect(client.getJob({ jobId: 0 })).rejects.toMatchObject({ code: 'bad_request' });
    const got = new Promise<Events['libraryChanged']>((resolve) => client.on('libraryChanged', resolve));
    await new Promise((r) => setTimeout(r, 20));
    fake.emit('libraryChanged', { libraryId: 4, parts: ['clusters'] });
    expect(await got).toEqual({ libraryId: 4, parts: ['clusters'] });
    const before = fake.listenerCount();
    client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.listenerCount()).toBeLessThan(before);
  });
});
