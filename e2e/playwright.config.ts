import { defineConfig } from '@playwright/test';
import { ELECTRON_SPECS, electronProject } from './electron/project.js';

/**
 * Playwright drives Debian's Chromium: Playwright's own browser download cannot run on our machines.
 * CHROMIUM_PATH overrides the binary. The `electron` project runs the desktop shell's specs where an Electron binary
 * runs (E2E_ELECTRON=1); elsewhere it says once that it was not run, and why.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/e2e',
  globalSetup: './globalSetup.ts',
  // One server process and one ML worker at a time: the machines have two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: '../playwright-report', open: 'never' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1400, height: 900 },
  },
  projects: [
    {
      name: 'web',
      testMatch: /.*\.spec\.ts$/,
      testIgnore: ELECTRON_SPECS,
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
      },
    },
    electronProject(),
  ],
});
