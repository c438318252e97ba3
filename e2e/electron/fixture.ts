/**
 * The Electron side of the e2e suite: `electronApp` (a launched desktop app on a fresh data folder) and `appPage`
 * (its window), the same fixture name the browser-mode specs use. When the app cannot run here the tests are
 * skipped with the reason (or fail, with E2E_ELECTRON=required); see launch.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { launchElectron, prepareElectronApp, runDecision, type ElectronSession } from './launch.js';

export interface ElectronFixtures {
  electronSession: ElectronSession;
  electronApp: ElectronApplication;
  appPage: Page;
  /** HOME of this test's app: photos and exports for the test go here. */
  home: string;
}

export const test = base.extend<ElectronFixtures, { electronAppDir: string }>({
  electronAppDir: [
    async ({}, use) => {
      const decision = runDecision();
      if (!decision.run) {
        if (decision.fail) throw new Error(`the Electron project cannot run: ${decision.reason}`);
        await use('');
        return;
      }
      await use(await prepareElectronApp(decision.version));
    },
    { scope: 'worker', timeout: 600_000 },
  ],
  home: async ({}, use) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-e2e-electron-'));
    await use(home);
    fs.rmSync(home, { recursive: true, force: true });
  },
  electronSession: async ({ electronAppDir, home }, use, testInfo) => {
    const decision = runDecision();
    if (!decision.run) {
      testInfo.annotations.push({ type: 'not run', description: decision.reason });
      testInfo.skip(true, `Electron project not run: ${decision.reason}`);
      return;
    }
    const session = await launchElectron({ binary: decision.binary, appDir: electronAppDir, dataDir: path.join(home, 'data'), home });
    await use(session);
    await session.close().catch(() => {});
    const log = path.join(home, 'data', 'logs', 'desktop.log');
    if (fs.existsSync(log)) await testInfo.attach('desktop.log', { path: log, contentType: 'text/plain' });
  },
  electronApp: async ({ electronSession }, use) => use(electronSession.app),
  appPage: async ({ electronSession }, use) => {
    await expect(electronSession.page.getByRole('heading', { name: 'PhotoCluster', exact: true })).toBeVisible();
    await use(electronSession.page);
  },
});

export { expect };
