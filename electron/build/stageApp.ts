/**
 * Builds the desktop app's JavaScript into one folder laid out like the repository (dist/app by default):
 *
 *   package.json          name, version, "type": "module", main → electron/main.js
 *   core/**\/*.js          every core module, transpiled file by file (esbuild), tests left out
 *   electron/*.js         main process, ML utility-process entry and their modules
 *   electron/preload.cjs  the preload, bundled into one CommonJS file (a sandboxed preload cannot import modules)
 *   renderer/             the Vite build of the UI (dist/renderer)
 *   resources/            icons and data files the code reads at run time (build-only files stay out)
 *
 * Mirroring the source tree keeps every `import.meta.url`-relative path in core working unchanged (the service's
 * `../../package.json`, the backbone registry's `../../../resources/models.json`). `electron dist/app` runs it in
 * development; electron-builder packs it (with production node_modules) into app.asar.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

export interface StageOptions {
  /** The repository root. */
  root: string;
  /** Where the app is staged; its node_modules (development's Electron-ABI native modules) survive a rebuild. */
  outDir: string;
  /** The built renderer; null stages none (only for checks that do not need the UI). */
  rendererDir: string | null;
  /** Linked source maps, for debugging a development build; packages ship without them. */
  sourcemap?: boolean;
}

export interface StageReport {
  outDir: string;
  modules: number;
  preloadBytes: number;
  rendererFiles: number;
}

/** Electron 45 runs Node 24 and Chromium 142; these targets only decide which syntax esbuild may leave as is. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome130';

const TEST_FILE = /\.(test|spec|bench)\.[cm]?ts$/;
/** Folders of electron/ that are build or test tooling, never part of the app. */
const ELECTRON_TOOLING_DIRS = new Set(['build', 'dev', 'testSupport']);
/** Entry points bundled on their own rather than transpiled. */
const PRELOAD = 'preload.ts';

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

function isInDir(file: string, dirName: string): boolean {
  return file.split(path.sep).includes(dirName);
}

/** The TypeScript modules of the app: core and the electron shell, without tests, fixtures or tooling. */
export function appSourceFiles(root: string): string[] {
  const core = listFiles(path.join(root, 'core')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !TEST_FILE.test(f) && !isInDir(f, 'fixtures'));
  const electronDir = path.join(root, 'electron');
  const shell = fs
    .readdirSync(electronDir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !TEST_FILE.test(d.name) && d.name !== PRELOAD)
    .map((d) => path.join(electronDir, d.name));
  return [...core, ...shell].sort();
}

/** Data files core reads beside its modules (JSON tables and the like). */
function coreAssets(root: string): string[] {
  // Documentation (README.md beside a module) and test scripts are for developers, not the app.
  return listFiles(path.join(root, 'core')).filter((f) => !/\.([cm]?ts|md|py)$/.test(f) && !isInDir(f, 'fixtures') && !TEST_FILE.test(f));
}

function copyTree(from: string, to: string, keep: (rel: string) => boolean = () => true): number {
  let n = 0;
  for (const file of listFiles(from)) {
    const rel = path.relative(from, file);
    if (!keep(rel)) continue;
    fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    fs.copyFileSync(file, path.join(to, rel));
    n++;
  }
  return n;
}

/**
 * The preload needs the contract's method and event names, not its zod schemas (validation happens in the main
 * process): the bundle gets core/api.ts as just those two lists, computed from the real module at build time. This
 * keeps zod (~450 kB) out of every window start.
 */
function contractNamesOnly(apiFile: string, methods: readonly string[], events: readonly string[]): esbuild.Plugin {
  return {
    name: 'contract-names-only',
    setup(build) {
      build.onLoad({ filter: /[\\/]core[\\/]api\.ts$/ }, (args) => {
        if (path.resolve(args.path) !== path.resolve(apiFile)) return undefined;
        return {
          loader: 'ts',
          contents: `export const METHOD_NAMES = Object.freeze(${JSON.stringify(methods)});\nexport const EVENT_NAMES = Object.freeze(${JSON.stringify(events)});\n`,
        };
      });
    },
  };
}

function emptyExceptNodeModules(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir)) {
    if (entry !== 'node_modules') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
}

export async function stageApp(opts: StageOptions): Promise<StageReport> {
  const root = path.resolve(opts.root);
  const outDir = path.resolve(opts.outDir);
  if (opts.rendererDir !== null && !fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${path.join(opts.rendererDir, 'index.html')} is missing); run \`npm run build:renderer\` first`);
  }
  emptyExceptNodeModules(outDir);

  const sources = appSourceFiles(root);
  await esbuild.build({
    entryPoints: sources,
    outbase: root,
    outdir: outDir,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: NODE_TARGET,
    sourcemap: opts.sourcemap ? 'linked' : false,
    logLevel: 'warning',
  });

  const preloadOut = path.join(outDir, 'electron', 'preload.cjs');
  const { METHOD_NAMES, EVENT_NAMES } = (await import(pathToFileURL(path.join(root, 'core', 'api.ts')).href)) as typeof import('../../core/api.js');
  await esbuild.build({
    entryPoints: [path.join(root, 'electron', PRELOAD)],
    outfile: preloadOut,
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: CHROME_TARGET,
    // The sandboxed preload's `require` provides `electron` (contextBridge, ipcRenderer) and nothing else.
    external: ['electron'],
    plugins: [contractNamesOnly(path.join(root, 'core', 'api.ts'), METHOD_NAMES, EVENT_NAMES)],
    minify: !opts.sourcemap,
    sourcemap: opts.sourcemap ? 'linked' : false,
    legalComments: 'none',
    logLevel: 'warning',
  });

  for (const asset of coreAssets(root)) {
    const dest = path.join(outDir, path.relative(root, asset));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(asset, dest);
  }
  // resources/build holds packaging-only files (entitlements); the icon sources stay with the repository.
  copyTree(path.join(root, 'resources'), path.join(outDir, 'resources'), (rel) => !rel.startsWith('build' + path.sep) && !rel.endsWith('.svg'));
  const rendererFiles = opts.rendererDir ? copyTree(opts.rendererDir, path.join(outDir, 'renderer')) : 0;

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown> & { dependencies?: Record<string, string> };
  const stagedPkg = {
    name: pkg.name,
    productName: 'PhotoCluster',
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: 'module',
    main: 'electron/main.js',
    // Only what development rebuilds for Electron's ABI inside this folder (see electron/dev/prepare.ts).
    dependencies: { 'better-sqlite3': pkg.dependencies?.['better-sqlite3'] },
  };
  fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(stagedPkg, null, 2) + '\n');
  return { outDir, modules: sources.length, preloadBytes: fs.statSync(preloadOut).size, rendererFiles };
}

const isEntry = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const args = process.argv.slice(2);
  const report = await stageApp({
    root,
    outDir: path.join(root, 'dist', 'app'),
    rendererDir: args.includes('--without-renderer') ? null : path.join(root, 'dist', 'renderer'),
    sourcemap: args.includes('--sourcemap'),
  });
  process.stdout.write(`staged ${report.modules} modules, preload ${report.preloadBytes} bytes, ${report.rendererFiles} renderer files in ${path.relative(process.cwd(), report.outDir) || '.'}\n`);
}
