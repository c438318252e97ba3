/**
 * Makes dist/app runnable by a development Electron (`electron dist/app`): the renderer built, the app staged, and
 * better-sqlite3 compiled for Electron's ABI *inside dist/app/node_modules*. Module resolution from dist/app finds
 * that copy first, while the repository's node_modules keeps the Node build the tests use — no flipping back and
 * forth between ABIs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stageApp } from '../build/stageApp.js';

export interface PrepareOptions {
  root: string;
  electronVersion: string;
  log?: (line: string) => void;
}

const MARKER = '.photocluster-native.json';
/** Native modules the main process loads that are not N-API (sharp and the TF.js bindings are, and load as installed). */
const ELECTRON_ABI_MODULES = ['better-sqlite3'] as const;

function installedVersion(root: string, name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Newest modification time of the files the renderer bundle is built from. */
function newestRendererSource(root: string): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['renderer', 'core/api.ts', 'core/client', 'vite.config.ts']) visit(path.join(root, p));
  return newest;
}

/** Builds the renderer when there is no build yet or its sources changed since (a fresh checkout, a `git pull`). */
export function ensureRendererBuilt(root: string, log: (line: string) => void): string {
  const rendererDir = path.join(root, 'dist', 'renderer');
  const built = fs.statSync(path.join(rendererDir, 'index.html'), { throwIfNoEntry: false });
  if (built && built.mtimeMs >= newestRendererSource(root)) return rendererDir;
  const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (!scripts['build:renderer']) throw new Error('the renderer is not built and package.json has no build:renderer script');
  log('building the renderer (npm run build:renderer)…');
  const r = spawnSync('npm', ['run', 'build:renderer'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`npm run build:renderer failed (exit ${r.status ?? r.signal})`);
  return rendererDir;
}

type Rebuild = (opts: { buildPath: string; electronVersion: string; onlyModules: string[]; force: boolean }) => Promise<void>;

const electronRebuild: Rebuild = async (opts) => {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild(opts);
};

/** Copies the native modules into the staged app and rebuilds them for Electron, once per Electron/module version. */
export async function ensureElectronNativeModules(
  root: string,
  appDir: string,
  electronVersion: string,
  log: (line: string) => void,
  rebuild: Rebuild = electronRebuild,
): Promise<void> {
  const wanted = { electron: electronVersion, ...Object.fromEntries(ELECTRON_ABI_MODULES.map((m) => [m, installedVersion(root, m)])) };
  const markerFile = path.join(appDir, 'node_modules', MARKER);
  const current = fs.existsSync(markerFile) ? fs.readFileSync(markerFile, 'utf8') : null;
  if (current === JSON.stringify(wanted)) return;
  for (const name of ELECTRON_ABI_MODULES) {
    const dest = path.join(appDir, 'node_modules', name);
    fs.rmSync(dest, { recursive: true, force: true });
    // Sources only: the build folder holds the Node-ABI addon this copy must not inherit.
    fs.cpSync(path.join(root, 'node_modules', name), dest, { recursive: true, filter: (src) => !src.split(path.sep).includes('build') });
  }
  log(`building ${ELECTRON_ABI_MODULES.join(', ')} for Electron ${electronVersion} (once per version; needs Electron's headers from the network)…`);
  await rebuild({ buildPath: appDir, electronVersion, onlyModules: [...ELECTRON_ABI_MODULES], force: true });
  fs.writeFileSync(markerFile, JSON.stringify(wanted));
}

/** Returns the folder to pass to the Electron binary. */
export async function prepareDevApp(opts: PrepareOptions): Promise<string> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const rendererDir = ensureRendererBuilt(opts.root, log);
  const appDir = path.join(opts.root, 'dist', 'app');
  await stageApp({ root: opts.root, outDir: appDir, rendererDir, sourcemap: true });
  await ensureElectronNativeModules(opts.root, appDir, opts.electronVersion, log);
  return appDir;
}
