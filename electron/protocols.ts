/**
 * The two custom schemes of the desktop app, as plain request → response functions (Electron's `protocol.handle`
 * takes exactly that), so plain-Node tests call them with real `Request` objects.
 *
 * Why `app://photocluster/` and not `file://` for the renderer: a standard, secure custom scheme gives the page a
 * real origin of its own, so `'self'` in the CSP means our bundle and nothing else on disk (on file:// it would allow
 * any local file); absolute asset URLs from the Vite build (`/assets/...`) resolve as they do in browser mode; module
 * workers and fetch behave as on a web origin; every response carries our headers (CSP included), which file:// cannot
 * send; and the GrantFileProtocolExtraPrivileges fuse can stay off. Requests are resolved inside the renderer folder
 * with the same traversal guard as the browser-mode server.
 *
 * `thumb://thumb/<id>` and `thumb://preview/<id>` serve photos by opaque id only: no path ever comes from the page.
 * The id must be digits; the file the service names must lie inside the thumbnail cache (checked on the real path,
 * so a symlink or a tampered database row cannot make it serve anything else).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isWithin, resolveInside } from '../core/safePath.js';
import { contentTypeOf } from '../core/server/contentTypes.js';
import { answerPreview, type MediaSource } from '../core/media.js';
import { parsePhotoId } from '../core/server/server.js';
import { APP_HOST, APP_SCHEME, THUMB_SCHEME } from './channels.js';

/** What `protocol.registerSchemesAsPrivileged` gets (before `ready`). */
export const PRIVILEGED_SCHEMES = [
  // corsEnabled lets module scripts and workers load from our origin; codeCache speeds up start-up.
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  { scheme: THUMB_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
] as const;

/**
 * The desktop page's Content-Security-Policy: the browser-mode policy without the WebSocket (IPC replaces it) and
 * with `thumb:` images. No inline script or style, no eval, no plugins, nothing framed, no form posts.
 */
export function desktopContentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${THUMB_SCHEME}: blob: data:`,
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const COMMON_HEADERS: Record<string, string> = {
  'Content-Security-Policy': desktopContentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};


function textResponse(status: number, text: string): Response {
  return new Response(text + '\n', { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** The request's URL when it is a read on one of `hosts` of `scheme`, else the response that refuses it. */
function readRequest(request: Request, scheme: string, hosts: readonly string[]): URL | Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return textResponse(400, 'Bad URL');
  }
  return url.protocol === `${scheme}:` && hosts.includes(url.host) ? url : textResponse(404, 'Not found');
}

function body(request: Request, bytes: Uint8Array): Uint8Array | null {
  return request.method === 'HEAD' ? null : bytes;
}

/** Serves the built renderer (index.html + assets) at `app://photocluster/`. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    const url = readRequest(request, APP_SCHEME, [APP_HOST]);
    if (url instanceof Response) return url;
    let file = url.pathname === '/' ? path.join(root, 'index.html') : await resolveInside(root, url.pathname, { decode: true });
    if (file === null && url.pathname.includes('.')) return textResponse(404, 'Not found');
    // Client-side routes (no extension) get the app shell, as in browser mode.
    const stat = file ? await fs.stat(file).catch(() => null) : null;
    if (!file || !stat?.isFile()) file = path.join(root, 'index.html');
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch {
      return textResponse(404, 'Not found');
    }
    const type = contentTypeOf(file);
    const immutable = url.pathname.startsWith('/assets/');
    return new Response(body(request, new Uint8Array(bytes)), {
      status: 200,
      headers: { ...COMMON_HEADERS, 'Content-Type': type, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' },
    });
  };
}

export interface ThumbProtocolOptions {
  media: MediaSource;
  /** The thumbnail cache; a thumbnail file outside it is never served. */
  cacheDir: string;
  log?: (line: string) => void;
}

/** `thumb://thumb/<id>` → the cached WebP thumbnail; `thumb://preview/<id>` → a display-size preview. */
export function createThumbProtocolHandler(opts: ThumbProtocolOptions): (request: Request) => Promise<Response> {
  const log = opts.log ?? (() => {});
  let realCacheDir: string | null = null;
  return async (request) => {
    const url = readRequest(request, THUMB_SCHEME, ['thumb', 'preview']);
    if (url instanceof Response) return url;
    const kind = url.host;
    const photoId = parsePhotoId(url.pathname.slice(1));
    if (photoId === null) return textResponse(400, 'Bad photo id');
    if (kind === 'preview') {
      const preview = await answerPreview(opts.media, photoId);
      if (!('body' in preview)) return textResponse(preview.status, preview.text);
      return new Response(body(request, new Uint8Array(preview.body)), {
        status: 200,
        headers: { ...COMMON_HEADERS, 'Content-Type': preview.contentType, 'Cache-Control': 'private, max-age=600' },
      });
    }
    const file = await opts.media.thumbnailFile(photoId);
    if (!file) return textResponse(404, 'No thumbnail');
    realCacheDir ??= await fs.realpath(opts.cacheDir).catch(() => null);
    const real = await fs.realpath(file).catch(() => null);
    if (!real || !realCacheDir || !isWithin(realCacheDir, real)) {
      log(`thumb: refused to serve ${file} for photo ${photoId}: not inside the thumbnail cache`);
      return textResponse(403, 'Forbidden');
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(real);
    } catch {
      return textResponse(404, 'No thumbnail');
    }
    return new Response(body(request, new Uint8Array(bytes)), {
      status: 200,
      headers: { ...COMMON_HEADERS, 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=3600' },
    });
  };
}
