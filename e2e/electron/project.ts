/**
 * The `electron` Playwright project, for e2e/playwright.config.ts:
 *
 *   import { electronProject } from './electron/project.js';
 *   projects: [{ name: 'web', ... }, electronProject()]
 *
 * It runs the desktop shell's own specs (e2e/electron/*.spec.ts) and any shared spec passed in `testMatch` (their
 * `service` fixture can come from service.ts in this project), against
 * a development Electron (dist/app staged, better-sqlite3 built for Electron) — the packaged app has its
 * `--inspect` fuse off, so Playwright cannot attach to it. When Electron cannot run here, one line says so and why,
 * and the tests show as skipped.
 */
import type { Project } from '@playwright/test';
import { runDecision } from './launch.js';

export function electronProject(opts: { testMatch?: RegExp | RegExp[] } = {}): Project {
  const decision = runDecision();
  if (!decision.run) process.stderr.write(`[electron] e2e project NOT RUN: ${decision.reason}\n`);
  return {
    name: 'electron',
    testMatch: opts.testMatch ?? ELECTRON_SPECS,
    // One desktop app at a time: it takes a single-instance lock on its data folder and the machines have two cores.
    fullyParallel: false,
    timeout: 180_000,
    metadata: decision.run ? { electron: decision.version } : { notRun: decision.reason },
  };
}

/**
 * The shell's own specs: for the `web` project's `testIgnore`, as they need the desktop app. Playwright matches the
 * absolute path, so the folder is named with its parent: a checkout in a folder whose name ends in "electron" must
 * not turn every spec into a desktop one.
 */
export const ELECTRON_SPECS = /(^|[\\/])e2e[\\/]electron[\\/][^\\/]+\.spec\.ts$/;
