/**
 * The desktop app behind the browser-mode specs' `service` fixture: same fields (home, photosDir, exportDir, dbPath,
 * launchUrl, restart, originalsDigest), so e2e/fixtures.ts can pick this one in the `electron` project:
 *
 *   const service = testInfo.project.name === 'electron' ? await startElectronService({...}) : ...browser mode...
 *
 * Differences the specs must allow for: the page is the app's window (`service.page()`, a new one after
 * `restart()`, since restarting the desktop app starts a new process), and "Browse…" opens the native folder dialog,
 * which is stubbed to answer `photosDir` (change it with `pickFolder`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ElectronApplication, Page } from '@playwright/test';
import type { Service } from '../fixtures.js';
import { APP_URL, launchElectron, prepareElectronApp, runDecision, stubFolderDialog, type ElectronSession } from './launch.js';

export interface ElectronService extends Service {
  page(): Page;
  app(): ElectronApplication;
  /** What the native folder dialog answers next (null: the user cancels). */
  pickFolder(folder: string | null): Promise<void>;
  close(): Promise<void>;
}

export async function startElectronService(opts: { home: string; photosDir: string; exportDir: string; digest: (dir: string) => string }): Promise<ElectronService> {
  const decision = runDecision();
  if (!decision.run) throw new Error(`the Electron project cannot run: ${decision.reason}`);
  const appDir = await prepareElectronApp(decision.version);
  const dataDir = path.join(opts.home, 'data');
  const start = async () => {
    const session = await launchElectron({ binary: decision.binary, appDir, dataDir, home: opts.home });
    await stubFolderDialog(session.app, folder);
    return session;
  };
  let folder: string | null = opts.photosDir;
  let session: ElectronSession = await start();
  fs.mkdirSync(opts.exportDir, { recursive: true });
  return {
    home: opts.home,
    photosDir: opts.photosDir,
    exportDir: opts.exportDir,
    dbPath: path.join(dataDir, 'photocluster.db'),
    launchUrl: APP_URL,
    async restart() {
      await session.close();
      session = await start();
      return APP_URL;
    },
    originalsDigest: () => opts.digest(opts.photosDir),
    page: () => session.page,
    app: () => session.app,
    async pickFolder(next) {
      folder = next;
      await stubFolderDialog(session.app, next);
    },
    close: () => session.close(),
  };
}
