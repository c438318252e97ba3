/**
 * Launching the desktop app under Playwright: whether it can run here, preparing dist/app for a development
 * Electron (electron/dev/prepareApp.ts), `_electron.launch` with its own data folder, and a stand-in for the native
 * folder dialog (Playwright cannot click OS dialogs; the stub is installed in the main process).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { electronAvailability } from '../../electron/dev/electronBinary.js';
import { prepareDevApp } from '../../electron/dev/prepareApp.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The page every window loads. */
export const APP_URL = 'app://photocluster/';

export type RunDecision = { run: true; binary: string; version: string } | { run: false; reason: string; fail: boolean };

/**
 * E2E_ELECTRON=1 runs the electron project where Electron can start; E2E_ELECTRON=required also fails when it
 * cannot (for CI machines that must have it). Without the variable, or without a usable binary, the tests are
 * reported as skipped with the reason: never a silent pass.
 */
export function electronRunDecision(env: NodeJS.ProcessEnv = process.env, root: string = REPO_ROOT): RunDecision {
  const wanted = env.E2E_ELECTRON;
  if (wanted !== '1' && wanted !== 'required') return { run: false, reason: 'set E2E_ELECTRON=1 to run the Electron project', fail: false };
  const available = electronAvailability({ root, env });
  if (!available.ok) return { run: false, reason: available.reason, fail: wanted === 'required' };
  return { run: true, binary: available.binary, version: available.version };
}

let decision: RunDecision | null = null;
/** Decided once per process: the probe starts Electron. */
export function runDecision(): RunDecision {
  decision ??= electronRunDecision();
  return decision;
}

export interface LaunchOptions {
  binary: string;
  appDir: string;
  /** PHOTOCLUSTER_DATA_DIR of the run: database, caches, Chromium profile, window state, log. */
  dataDir: string;
  /** HOME of the app (where the folder browser and dialogs start). */
  home: string;
}

export interface ElectronSession {
  app: ElectronApplication;
  page: Page;
  /** Quits the app (jobs recorded as interrupted, as for a user) and starts it again on the same data. */
  restart(): Promise<ElectronSession>;
  close(): Promise<void>;
}

export async function prepareElectronApp(version: string): Promise<string> {
  return prepareDevApp({ root: REPO_ROOT, electronVersion: version });
}

export async function launchElectron(opts: LaunchOptions): Promise<ElectronSession> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const app = await _electron.launch({
    executablePath: opts.binary,
    // Chromium refuses to start its OS sandbox as root (CI containers); the page stays isolated either way.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), opts.appDir],
    cwd: opts.home,
    env: { ...process.env, HOME: opts.home, PHOTOCLUSTER_DATA_DIR: opts.dataDir, ELECTRON_ENABLE_LOGGING: '1' } as Record<string, string>,
    timeout: 60_000,
  });
  const page = await app.firstWindow();
  await page.waitForURL((url) => url.href.startsWith(APP_URL));
  const session: ElectronSession = {
    app,
    page,
    async restart() {
      await session.close();
      return launchElectron(opts);
    },
    async close() {
      await app.close();
    },
  };
  return session;
}

/** Makes the native folder dialog answer `folder` (or a cancel for null) until stubbed again. */
export async function stubFolderDialog(app: ElectronApplication, folder: string | null): Promise<void> {
  await app.evaluate(({ dialog }, picked) => {
    const answer = async () => ({ canceled: picked === null, filePaths: picked === null ? [] : [picked] });
    (dialog as unknown as { showOpenDialog: typeof answer }).showOpenDialog = answer;
  }, folder);
}
