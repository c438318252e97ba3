/**
 * The one `appPage` fixture: the real browser-mode server (`photocluster serve --port 0 --db <tmp>`) on a fixture
 * folder of 3 CIFAR-10 classes × 20 images plus 3 bad files, and a page opened at the launch URL it prints.
 * The server and its database live for the whole worker (the specs run in order on one library); a failed test
 * restarts the worker and with it a fresh server, which the specs handle through `ensureGrouped`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { sharedDir } from '../core/paths.js';
import { REPO_ROOT } from './globalSetup.js';
import { watchConsole } from './helpers.js';

export const CLASSES = ['airplane', 'frog', 'ship'] as const;
export const PER_CLASS = 20;
export const BAD_FILES = ['broken.jpg', 'truncated.jpg', 'notes.png'] as const;
const LAUNCH_LINE = /PhotoCluster is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;

export interface Service {
  /** The temporary home of this run: HOME of the server process (so the folder browser starts here). */
  home: string;
  photosDir: string;
  exportDir: string;
  dbPath: string;
  launchUrl: string;
  /** Stops the server and starts it again on the same database; returns the new launch URL. */
  restart(): Promise<string>;
  /** sha256 of every file in the photo folder, to prove the originals were never touched. */
  originalsDigest(): string;
}

/** 60 real photos (flat, class-prefixed names so the expected grouping is readable in screenshots) + 3 bad files. */
export function makePhotoFolder(dir: string): void {
  const source = path.join(sharedDir(), 'datasets', 'cifar10-test');
  fs.mkdirSync(dir, { recursive: true });
  for (const cls of CLASSES) {
    for (let i = 0; i < PER_CLASS; i++) {
      const name = `${String(i).padStart(4, '0')}.jpg`;
      fs.copyFileSync(path.join(source, cls, name), path.join(dir, `${cls}-${name}`));
    }
  }
  fs.writeFileSync(path.join(dir, 'broken.jpg'), crypto.randomBytes(4096));
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), fs.readFileSync(path.join(source, CLASSES[0], '0000.jpg')).subarray(0, 300));
  fs.writeFileSync(path.join(dir, 'notes.png'), 'These are not the pixels you are looking for.\n');
}

export function digestDir(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    if (!st.isFile()) continue;
    h.update(name).update(String(st.mtimeMs)).update(fs.readFileSync(file));
  }
  return h.digest('hex');
}

function startServe(home: string, dbPath: string): Promise<{ child: ChildProcess; launchUrl: string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'photocluster.js'), 'serve', '--port', '0', '--db', dbPath], {
    cwd: REPO_ROOT,
    // Backbones come from the shared models folder: tests never download from the network.
    env: { ...process.env, HOME: home, PHOTOCLUSTER_DATA_DIR: path.join(home, 'data'), PHOTOCLUSTER_MODELS_URL: process.env.PHOTOCLUSTER_MODELS_URL ?? path.join(sharedDir(), 'models') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`photocluster serve printed no launch URL within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = LAUNCH_LINE.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, launchUrl: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`photocluster serve exited with ${code}:\n${output}`));
    });
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ appPage: Page }, { service: Service }>({
  service: [
    async ({}, use) => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-e2e-'));
      const photosDir = path.join(home, 'photos');
      const exportDir = path.join(home, 'export');
      const dbPath = path.join(home, 'library.db');
      makePhotoFolder(photosDir);
      let running = await startServe(home, dbPath);
      const service: Service = {
        home,
        photosDir,
        exportDir,
        dbPath,
        launchUrl: running.launchUrl,
        async restart() {
          await stopServe(running.child);
          running = await startServe(home, dbPath);
          service.launchUrl = running.launchUrl;
          return running.launchUrl;
        },
        originalsDigest: () => digestDir(photosDir),
      };
      await use(service);
      await stopServe(running.child);
      fs.rmSync(home, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  appPage: async ({ page, service }, use) => {
    const check = watchConsole(page);
    await page.goto(service.launchUrl);
    await expect(page.getByRole('heading', { name: 'PhotoCluster', exact: true })).toBeVisible();
    await use(page);
    check();
  },
});

export { expect };

/** Groups in the sidebar as name → size. */
export async function sidebarGroups(page: Page): Promise<Map<string, number>> {
  const items = page.locator('[data-drop-cluster]:not([data-drop-cluster="new"])');
  const out = new Map<string, number>();
  for (const item of await items.all()) {
    const name = (await item.locator('.nav-name').textContent())!.trim();
    out.set(name, Number((await item.locator('.count').textContent())!.trim()));
  }
  return out;
}

/** Settings K = 3 (and a short training), the fixture folder added through the folder browser, grouping finished. */
export async function ensureGrouped(page: Page, service: Service, whileRunning?: () => Promise<void>): Promise<number> {
  await page.goto(service.launchUrl);
  const link = page.locator('.library-card h4 a').first();
  await expect(page.getByRole('heading', { name: 'Libraries', exact: true })).toBeVisible();
  if (await link.count()) {
    await link.click();
  } else {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Exactly' }).check();
    await page.getByRole('spinbutton', { name: 'Number of groups' }).fill('3');
    const epochs = process.env.E2E_EPOCHS;
    if (epochs) {
      await page.getByText('Advanced: how the grouping is computed').click();
      await page.getByRole('spinbutton', { name: /Training epochs/ }).fill(epochs);
    }
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Settings saved.')).toBeVisible();

    await page.getByRole('link', { name: 'PhotoCluster', exact: true }).click();
    await page.getByRole('button', { name: 'Browse…' }).click();
    const browser = page.getByRole('dialog', { name: 'Choose a folder of photos' });
    await browser.getByRole('button', { name: 'photos' }).click();
    await expect(browser.getByText(service.photosDir)).toBeVisible();
    await browser.getByRole('button', { name: 'Choose this folder' }).click();
    await expect(page.getByRole('textbox', { name: 'Folder with photos' })).toHaveValue(service.photosDir);
    await page.getByRole('button', { name: 'Add folder and group photos' }).click();
    await expect(page).toHaveURL(/#\/library\/\d+\/activity$/);
    if (whileRunning) {
      await expect(page.locator('.phase-running progress')).toBeVisible({ timeout: 120_000 });
      await whileRunning();
    }
  }
  const groups = page.locator('[data-drop-cluster]:not([data-drop-cluster="new"])');
  await expect(groups).toHaveCount(3, { timeout: Number(process.env.E2E_GROUPING_TIMEOUT_MS ?? 900_000) });
  // The groups show before the job's last step (naming them) ends, and the app opens the groups when it does; an edit
  // of an earlier test may have queued a naming job too. Wait for the work to end, or on a loaded machine the page
  // changes under the test's feet (the Progress page left for the groups).
  await expect(page.locator('.job-indicator')).toHaveCount(0, { timeout: 5 * 60_000 });
  const url = new URL(page.url());
  return Number(/#\/library\/(\d+)/.exec(url.hash)![1]);
}
