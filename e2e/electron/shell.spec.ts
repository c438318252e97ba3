/**
 * What only the desktop shell does, checked in a real Electron: the window's isolation, the bridge, the CSP, the
 * custom schemes, blocked windows and navigation, the native folder dialog, and the remembered window size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { METHOD_NAMES } from '../../core/api.js';
import { expect, test } from './fixture.js';
import { stubFolderDialog } from './launch.js';

test('the page has no Node and sees exactly the contract, frozen', async ({ appPage }) => {
  const seen = await appPage.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return {
      require: typeof w.require,
      process: typeof w.process,
      buffer: typeof w.Buffer,
      frozen: Object.isFrozen(w.photocluster),
      bridge: Object.keys(w.photocluster as object).sort(),
    };
  });
  expect(seen).toEqual({ require: 'undefined', process: 'undefined', buffer: 'undefined', frozen: true, bridge: [...METHOD_NAMES, 'on'].sort() });
});

test('calls reach the service through IPC and are validated there', async ({ appPage }) => {
  const caps = await appPage.evaluate(() => window.photocluster!.getCapabilities({}));
  expect(caps).toMatchObject({ platform: 'electron', canShowFolderDialog: true, canRevealInFileManager: true });
  const err = await appPage.evaluate(() => window.photocluster!.getLibrary({ libraryId: -1 }).catch((e: unknown) => e));
  expect(err).toMatchObject({ name: 'ApiError', code: 'bad_request' });
});

test('service events reach the page', async ({ appPage, home }) => {
  const photos = path.join(home, 'photos');
  fs.mkdirSync(photos);
  const event = await appPage.evaluate(
    (root) =>
      new Promise((resolve) => {
        const stop = window.photocluster!.on('libraryChanged', (e) => {
          stop();
          resolve(e);
        });
        void window.photocluster!.addLibrary({ root });
      }),
    photos,
  );
  expect(event).toMatchObject({ libraryId: expect.any(Number), parts: expect.arrayContaining(['library']) });
});

test('our responses carry the strict CSP, and inline script is refused', async ({ appPage }) => {
  const csp = await appPage.evaluate(async () => (await fetch('/')).headers.get('content-security-policy'));
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe');
  const ran = await appPage.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(`blocked ${e.violatedDirective}`), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.append(s);
        setTimeout(() => resolve((window as unknown as { __inline?: number }).__inline ? 'ran' : 'not run'), 1000);
      }),
  );
  expect(ran).toMatch(/^blocked script-src/);
});

test('thumb: answers opaque ids only', async ({ electronApp }) => {
  const statuses = await electronApp.evaluate(async ({ net }) => {
    const urls = ['thumb://thumb/abc', 'thumb://thumb/..%2f..%2fetc%2fpasswd', 'thumb://thumb/0', 'thumb://thumb/999999', 'thumb://other/1', 'app://photocluster/%2e%2e/%2e%2e/etc/passwd'];
    return Promise.all(urls.map(async (u) => [u, (await net.fetch(u)).status] as const));
  });
  expect(Object.fromEntries(statuses)).toEqual({
    'thumb://thumb/abc': 400,
    'thumb://thumb/..%2f..%2fetc%2fpasswd': 400,
    'thumb://thumb/0': 400,
    'thumb://thumb/999999': 404,
    'thumb://other/1': 404,
    // Normalised to /etc/passwd inside the renderer folder: no such file, so the app shell — never the system file.
    'app://photocluster/%2e%2e/%2e%2e/etc/passwd': 200,
  });
  const body = await electronApp.evaluate(async ({ net }) => (await net.fetch('app://photocluster/%2e%2e/%2e%2e/etc/passwd')).text());
  expect(body).not.toContain('root:');
});

test('no new windows, no navigation away; https links go to the system browser', async ({ appPage, electronApp }) => {
  await electronApp.evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as unknown as { opened: string[] }).opened = opened;
    shell.openExternal = async (url: string) => void opened.push(url);
  });
  const popup = await appPage.evaluate(() => window.open('https://example.com/docs'));
  expect(popup).toBeNull();
  expect(electronApp.windows()).toHaveLength(1);
  expect(await electronApp.evaluate(() => (globalThis as unknown as { opened: string[] }).opened)).toEqual(['https://example.com/docs']);
  await appPage.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await appPage.waitForTimeout(1000);
  expect(appPage.url()).toMatch(/^app:\/\/photocluster\//);
});

test('the native folder dialog answers showFolderDialog', async ({ appPage, electronApp, home }) => {
  await stubFolderDialog(electronApp, home);
  expect(await appPage.evaluate(() => window.photocluster!.showFolderDialog({ title: 'Add a library' }))).toEqual({ path: home });
  await stubFolderDialog(electronApp, null);
  expect(await appPage.evaluate(() => window.photocluster!.showFolderDialog({}))).toEqual({ path: null });
});

test('the window comes back where the user left it', async ({ electronSession }) => {
  await electronSession.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 40, width: 1000, height: 700 }));
  const again = await electronSession.restart();
  try {
    const bounds = await again.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getNormalBounds());
    expect(bounds).toMatchObject({ width: 1000, height: 700 });
  } finally {
    await again.close();
  }
});
