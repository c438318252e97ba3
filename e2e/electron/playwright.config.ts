/**
 * Runs the desktop shell's e2e specs on their own: `E2E_ELECTRON=1 npx playwright test -c e2e/electron`.
 * The suite-wide config (e2e/playwright.config.ts) adds the same project next to `web`.
 */
import { defineConfig } from '@playwright/test';
import { electronProject } from './project.js';

export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/e2e-electron',
  workers: 1,
  reporter: [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [electronProject({ testMatch: /.*\.spec\.ts$/ })],
});
