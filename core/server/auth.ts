import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'pc_token';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * The token a request presents: `Authorization: Bearer`, then `?token=` (a launch URL, or a WebSocket from Node), then
 * the session cookie. The launch URL wins over the cookie: after a restart the browser still holds the old
 * launch's cookie, and the new URL must replace it rather than be refused.
 */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

export function tokenMatches(presented: string | null, token: string): boolean {
  return presented !== null && safeEqual(presented, token);
}

/**
 * Only our own origin may talk to us. The Host check defeats DNS rebinding (a page on evil.example resolving to
 * 127.0.0.1); the Origin check defeats cross-site requests and WebSocket hijacking from other local pages.
 */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  return allowedHosts(port).has((req.headers.host ?? '').toLowerCase());
}

export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients (CLI, tests) send no Origin
  return [...allowedHosts(port)].some((h) => origin === `http://${h}`);
}

export function sessionCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
