import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_DIST = path.join(REPO_ROOT, 'dist', 'renderer');

/** The specs test the built renderer, as users get it: build it once unless E2E_SKIP_BUILD=1 and a build exists. */
export default function globalSetup(): void {
  if (process.env.E2E_SKIP_BUILD === '1' && fs.existsSync(path.join(RENDERER_DIST, 'index.html'))) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}
