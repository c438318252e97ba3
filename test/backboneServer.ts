// A local HTTP server serving `<root>/<backboneId>/<file>` (the shared models dir) for downloader tests, with
// switchable failure modes. Binds 127.0.0.1 on a free port; never talks to the network.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export type ServeMode =
  | 'ok'
  | 'not-found'
  | 'server-error'
  /** Sends the headers for the whole file, then half the bytes, then destroys the socket. */
  | 'cut'
  /** Serves the right length with one byte flipped. */
  | 'wrong-bytes'
  /** Ignores Range and always answers 200 with the whole file. */
  | 'no-range'
  /** Sends in small chunks with pauses (for cancellation). */
  | 'slow';

export interface ServedRequest {
  url: string;
  range: string | undefined;
  status: number;
}

export interface BackboneServer {
  baseUrl: string;
  requests: ServedRequest[];
  /** Chooses the behaviour for each request; default 'ok'. */
  setMode(fn: (file: string, attempt: number) => ServeMode): void;
  close(): Promise<void>;
}

export async function startBackboneServer(root: string): Promise<BackboneServer> {
  const requests: ServedRequest[] = [];
  const attempts = new Map<string, number>();
  let modeFn: (file: string, attempt: number) => ServeMode = () => 'ok';

  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '/');
    const rel = path.normalize(url).replace(/^[/\\]+/, '');
    const file = path.join(root, rel);
    const attempt = attempts.get(rel) ?? 0;
    attempts.set(rel, attempt + 1);
    const mode = modeFn(path.basename(rel), attempt);
    const log = (status: number) => requests.push({ url, range: req.headers.range, status });

    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || mode === 'not-found') {
      log(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (mode === 'server-error') {
      log(503);
      res.writeHead(503).end('busy');
      return;
    }
    let body = fs.readFileSync(file);
    if (mode === 'wrong-bytes') {
      body = Buffer.from(body);
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    }
    const total = body.length;
    const m = mode === 'no-range' ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && Number(m[1]) >= total) {
      log(416);
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return;
    }
    const start = m ? Number(m[1]) : 0;
    const status = m ? 206 : 200;
    const headers: http.OutgoingHttpHeaders = { 'content-length': total - start, 'accept-ranges': mode === 'no-range' ? 'none' : 'bytes' };
    if (m) headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
    log(status);
    res.writeHead(status, headers);
    const slice = body.subarray(start);
    if (mode === 'cut') {
      res.write(slice.subarray(0, slice.length >> 1), () => res.socket?.destroy());
    } else if (mode === 'slow') {
      let at = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (at >= slice.length) return void res.end();
        res.write(slice.subarray(at, at + 1024));
        at += 1024;
        setTimeout(tick, 20);
      };
      tick();
    } else res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    setMode(fn) {
      modeFn = fn;
      attempts.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A 127.0.0.1 port with nothing listening (connections are refused). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
