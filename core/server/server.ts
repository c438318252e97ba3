/**
 * Browser mode: the contract over HTTP (POST /api/<method>) and WebSocket (/ws), thumbnails and previews by opaque
 * photo id, and the built renderer as static files. Bound to 127.0.0.1 only; every request needs the per-launch token.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type Api, type ApiClient, type EventName, type Events } from '../api.js';
import { dispatch } from '../rpc.js';
import { contentTypeOf } from './contentTypes.js';
import { resolveInside } from '../safePath.js';
import { answerPreview, type MediaSource } from '../media.js';
import { hostAllowed, newToken, originAllowed, presentedToken, sessionCookie, tokenMatches } from './auth.js';

export type { MediaSource } from '../media.js';

export interface ServerOptions {
  api: Api & Pick<ApiClient, 'on'>;
  media: MediaSource;
  /** The built renderer (index.html + assets); null serves only the API. */
  staticDir: string | null;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  /** The URL to open: carries the token once; the page swaps it for an HttpOnly cookie. */
  launchUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Messages above this get an error reply; far above it (ws maxPayload) the socket is closed with 1009. */
export const MAX_MESSAGE_BYTES = 1 << 20;
const HARD_MAX_PAYLOAD = 8 << 20;
const MAX_BODY_BYTES = MAX_MESSAGE_BYTES;

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(res: ServerResponse, port: number): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text + '\n');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A photo id in a URL: decimal digits only, no leading zero, safe integer. */
export function parsePhotoId(segment: string | undefined): number | null {
  if (!segment || !/^[1-9][0-9]{0,15}$/.test(segment)) return null;
  const n = Number(segment);
  return Number.isSafeInteger(n) ? n : null;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  const log = opts.log ?? (() => {});
  const staticRoot = opts.staticDir ? path.resolve(opts.staticDir) : null;
  let port = 0;

  async function serveStatic(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    if (!staticRoot) return sendText(res, 404, 'Not found');
    let file = urlPath === '/' ? path.join(staticRoot, 'index.html') : await resolveInside(staticRoot, urlPath, { decode: true });
    if (file === null && urlPath.includes('.')) return sendText(res, 404, 'Not found');
    // Client-side routes (no extension) fall back to the app shell.
    if (file === null || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) file = path.join(staticRoot, 'index.html');
    const type = contentTypeOf(file);
    const immutable = urlPath.startsWith('/assets/');
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res, port);
    if (!hostAllowed(req, port)) return sendText(res, 403, 'Forbidden host');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const presented = presentedToken(req, url);
    if (!tokenMatches(presented, token)) {
      return sendText(res, 401, 'PhotoCluster: open the address printed by `photocluster serve` (it carries the access token).');
    }
    if (url.searchParams.has('token') && req.method === 'GET') {
      // Swap the token in the address bar for an HttpOnly cookie so it does not linger in history or screenshots.
      res.writeHead(303, { 'Set-Cookie': sessionCookie(token), Location: url.pathname, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (!originAllowed(req, port)) return sendText(res, 403, 'Forbidden origin');

    const [, first, second, ...rest] = url.pathname.split('/');
    if (first === 'api' && second !== undefined && rest.length === 0) {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendText(res, 415, 'Send application/json');
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too_large') return sendJson(res, 413, { ok: false, error: { code: 'bad_request', message: 'request too large' } });
      let args: unknown;
      try {
        args = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return sendJson(res, 400, { ok: false, error: { code: 'bad_request', message: 'malformed JSON' } });
      }
      const outcome = await dispatch(opts.api, second, args, (err, m) => log(`api ${m} failed: ${(err as Error)?.stack ?? err}`));
      return sendJson(res, outcome.ok ? 200 : statusFor(outcome.error.code), outcome);
    }
    if ((first === 'thumb' || first === 'preview') && rest.length === 0) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Use GET');
      const photoId = parsePhotoId(second);
      if (photoId === null) return sendText(res, 400, 'Bad photo id');
      if (first === 'thumb') {
        const file = await opts.media.thumbnailFile(photoId);
        if (!file) return sendText(res, 404, 'No thumbnail');
        res.writeHead(200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=3600' });
        if (req.method === 'HEAD') return void res.end();
        return void fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
      }
      const preview = await answerPreview(opts.media, photoId);
      if (!('body' in preview)) return sendText(res, preview.status, preview.text);
      res.writeHead(200, { 'Content-Type': preview.contentType, 'Cache-Control': 'private, max-age=600' });
      return void res.end(req.method === 'HEAD' ? undefined : preview.body);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return serveStatic(req, res, url.pathname);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log(`request ${req.method} ${req.url} failed: ${(err as Error)?.stack ?? err}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, port)) return refuse('403 Forbidden');
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (!tokenMatches(presentedToken(req, url), token)) return refuse('401 Unauthorized');
    if (!originAllowed(req, port)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws));
  });

  function attachSocket(ws: WebSocket): void {
    const send = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribers = EVENT_NAMES.map((event) =>
      opts.api.on(event, (payload: Events[EventName]) => {
        // A slow client must not make the service buffer without bound: drop progress for it, keep the rest.
        if (event === 'job' && ws.bufferedAmount > 4 << 20 && (payload as Events['job']).state === 'running') return;
        send({ event, payload });
      }),
    );
    ws.on('close', () => unsubscribers.forEach((u) => u()));
    ws.on('error', (err) => log(`websocket error: ${err.message}`));
    ws.on('message', (data, isBinary) => {
      const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) return send({ id: null, ok: false, error: { code: 'bad_request', message: 'binary messages are not accepted' } });
      if (raw.length > MAX_MESSAGE_BYTES) return send({ id: null, ok: false, error: { code: 'bad_request', message: 'message too large' } });
      let msg: unknown;
      try {
        msg = JSON.parse(raw.toString('utf8'));
      } catch {
        return send({ id: null, ok: false, error: { code: 'bad_request', message: 'malformed JSON' } });
      }
      const m = msg as { id?: unknown; method?: unknown; args?: unknown };
      const id = typeof m?.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null;
      if (id === null || typeof msg !== 'object' || msg === null) {
        return send({ id: null, ok: false, error: { code: 'bad_request', message: 'a request needs a numeric id and a method' } });
      }
      void dispatch(opts.api, m.method, m.args, (err, method) => log(`api ${method} failed: ${(err as Error)?.stack ?? err}`)).then((outcome) =>
        send({ id, ...outcome }),
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin + '/',
    launchUrl: `${origin}/?token=${token}`,
    token,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function statusFor(code: string): number {
  switch (code) {
    case 'bad_request':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'forbidden':
      return 403;
    case 'unsupported':
      return 501;
    case 'busy':
      return 503;
    default:
      return 500;
  }
}
