/** The built renderer served by the real browser-mode server over the contract double: the fixture of the UI specs. */
import { expect, test as base, type Page } from '@playwright/test';
import { startServer, type RunningServer } from '../../core/server/server.js';
import { RENDERER_DIST } from '../globalSetup.js';
import { watchConsole } from '../helpers.js';
import { contractDouble } from './contractDouble.js';

export const uiTest = base.extend<{ ui: { page: Page; server: RunningServer; go: (hash: string) => Promise<void> } }>({
  ui: async ({ page }, use) => {
    const double = contractDouble();
    const server = await startServer({ api: double.api, media: double.media, staticDir: RENDERER_DIST });
    const check = watchConsole(page);
    await page.goto(server.launchUrl);
    await expect(page.getByRole('heading', { name: 'Libraries', exact: true })).toBeVisible();
    const go = async (hash: string) => {
      await page.evaluate((h) => (window.location.hash = h), hash);
    };
    await use({ page, server, go });
    check();
    await server.close();
  },
});
