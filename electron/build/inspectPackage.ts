/**
 * What a packaged app must and must not contain, checked on the unpacked output of electron-builder (a
 * `linux-unpacked` folder): the app's entry points and UI inside app.asar, native addons and the TF.js wasm binaries
 * unpacked beside it, and none of the repository's tests, sources, source maps or development files.
 */
import fs from 'node:fs';
import path from 'node:path';
import asar from '@electron/asar';
import { getCurrentFuseWire } from '@electron/fuses';

export interface PackageContents {
  asarFile: string;
  /** Every entry of app.asar, as '/path/inside' (folders included). */
  entries: string[];
  /** Files that sit in app.asar.unpacked, as '/path/inside'. */
  unpacked: string[];
  problems: string[];
}

/** Inside the archive, outside node_modules: the app's own files. */
const REQUIRED = ['/package.json', '/electron/main.js', '/electron/preload.cjs', '/electron/service-host.js', '/electron/ml-host.js', '/core/api.js', '/core/rpc.js', '/renderer/index.html'];
const REQUIRED_UNPACKED = [
  /^\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/,
  /^\/node_modules\/@img\/sharp-[^/]+\/lib\/sharp-[^/]+\.node$/,
  /^\/node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/tfjs-backend-wasm\.wasm$/,
  /^\/node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/tfjs-backend-wasm-simd\.wasm$/,
];
/** Dawn's native addon for the WebGPU backend, one per platform inside the `webgpu` package. */
export const DAWN_ADDON = /^\/node_modules\/webgpu\/dist\/[^/]+\/dawn\.node$/;
/** Never in a package, anywhere outside node_modules. */
const FORBIDDEN_APP: Array<[RegExp, string]> = [
  [/\.(test|spec)\.[cm]?[jt]s(\.map)?$/, 'a test file'],
  [/\.map$/, 'a source map'],
  [/\.[cm]?ts$/, 'TypeScript source'],
  [/^\/(test|e2e|bench|\.ci|\.github|coverage|out|dist)(\/|$)/, 'a development folder'],
  [/^\/electron\/(build|dev|testSupport)(\/|$)/, 'build or test tooling'],
  [/(^|\/)(tsconfig[^/]*\.json|vitest\.config\.[^/]+|playwright\.config\.[^/]+|electron-builder\.yml|vite\.config\.[^/]+|package-lock\.json|\.gitignore|README\.md)$/, 'a development file'],
  // The app icon's source; the page's own favicon (/renderer/favicon.svg) is served to the window and belongs.
  [/^\/resources\/.*\.svg$/, 'the icon source'],
];
/** Not in dependencies either: their tests are no part of the app (global-agent, for one, publishes them in dist/). */
const FORBIDDEN_IN_MODULES: Array<[RegExp, string]> = [
  [/\.(test|spec)\.[cm]?js$/, "a dependency's test file"],
  [/\/__tests__(\/|$)/, "a dependency's test folder"],
];
/** Development-only packages that must not ride along with the production dependencies. */
const FORBIDDEN_MODULES = ['tsx', 'esbuild', '@esbuild', 'typescript', 'vitest', 'vite', 'electron', 'electron-builder', '@playwright', '@types'];

export function listPackage(appOutDir: string): Omit<PackageContents, 'problems'> {
  const asarFile = path.join(appOutDir, 'resources', 'app.asar');
  const entries = asar.listPackage(asarFile, { isPack: false }).map((e) => e.split(path.sep).join('/'));
  const unpackedRoot = `${asarFile}.unpacked`;
  const unpacked = fs.existsSync(unpackedRoot)
    ? (fs.readdirSync(unpackedRoot, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((d) => d.isFile())
        .map((d) => '/' + path.relative(unpackedRoot, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    : [];
  return { asarFile, entries, unpacked };
}

export function inspectPackage(appOutDir: string): PackageContents {
  const listed = listPackage(appOutDir);
  const problems: string[] = [];
  const entries = new Set(listed.entries);
  for (const file of REQUIRED) if (!entries.has(file)) problems.push(`missing ${file}`);
  for (const pattern of REQUIRED_UNPACKED) if (!listed.unpacked.some((f) => pattern.test(f))) problems.push(`no unpacked file matches ${pattern}`);
  // Dawn (WebGPU) is an optional dependency: when it was installed, its addon must load from outside the archive.
  if (listed.entries.includes('/node_modules/webgpu') && !listed.unpacked.some((f) => DAWN_ADDON.test(f))) {
    problems.push(`webgpu is packaged but no unpacked file matches ${DAWN_ADDON}`);
  }
  for (const entry of listed.entries) {
    const rules = entry.startsWith('/node_modules/') ? FORBIDDEN_IN_MODULES : FORBIDDEN_APP;
    for (const [pattern, what] of rules) if (pattern.test(entry)) problems.push(`${entry} is ${what}`);
  }
  for (const name of FORBIDDEN_MODULES) if (entries.has(`/node_modules/${name}`)) problems.push(`/node_modules/${name} is a development dependency`);
  const pkg = JSON.parse(asar.extractFile(listed.asarFile, 'package.json').toString('utf8')) as { main?: string };
  if (pkg.main !== 'electron/main.js') problems.push(`package.json main is ${JSON.stringify(pkg.main)}, not electron/main.js`);
  return { ...listed, problems };
}

/** The fuse states in the packaged executable, '0'/'1' per fuse in @electron/fuses' order (FuseV1Options). */
export async function readFuses(executable: string): Promise<string> {
  const wire = (await getCurrentFuseWire(executable)) as unknown as Record<string, number | string>;
  const states: string[] = [];
  for (let i = 0; typeof wire[i] === 'number'; i++) states.push(String.fromCharCode(wire[i] as number));
  return states.join('');
}
