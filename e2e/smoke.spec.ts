/**
 * Runs without the service: the built renderer served by a plain static server with the real server's CSP. There
 * is no /ws, so the app must show its offline state, reach no further, break no CSP rule, and pass axe.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { contentSecurityPolicy } from '../core/server/server.js';
import { RENDERER_DIST } from './globalSetup.js';
import { expectAccessible, screenshot, watchConsole } from './helpers.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let server: http.Server;
let origin: string;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = url.pathname === '/' ? 'index.html' : path.normalize(url.pathname).replace(/^[/\\]+/, '');
    const file = path.join(RENDERER_DIST, rel);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!file.startsWith(RENDERER_DIST + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('the built renderer loads under the strict CSP and shows its offline state', async ({ page }, testInfo) => {
  const check = watchConsole(page);
  const violations: string[] = [];
  await page.exposeFunction('reportCsp', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportCsp(v: string): void }).reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
  });
  await page.goto(origin + '/');
  await expect(page.getByRole('heading', { name: 'PhotoCluster', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Connecting to PhotoCluster…' })).toBeVisible();
  // After the grace period the banner explains what to do.
  await expect(page.getByRole('alert')).toContainText('Cannot reach PhotoCluster yet');
  await expect(page.getByRole('alert')).toContainText('photocluster serve');
  // Styles came from the stylesheet file (an inline <style> would have been refused).
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')!).borderBottomStyle);
  expect(bg).toBe('solid');
  expect(violations).toEqual([]);
  await screenshot(page, testInfo, 'offline');
  await expectAccessible(page, testInfo, 'offline');
  check();
});

test('the offline state follows the dark colour scheme too', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(origin + '/');
  await expect(page.getByRole('heading', { name: 'Connecting to PhotoCluster…' })).toBeVisible();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(18, 19, 23)');
  await screenshot(page, testInfo, 'offline-dark');
  await expectAccessible(page, testInfo, 'offline-dark');
});
