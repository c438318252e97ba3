/**
 * The real electron-builder run on the committed electron-builder.yml, against a stand-in Electron (the binary cannot
 * be downloaded here): stages the app into a scratch copy of the project, packs `--linux dir` through the
 * `dist:check` command itself, and lists app.asar.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from './dist.js';
import { stageApp } from './stageApp.js';
import { ELECTRON_DEFAULT_FUSES } from './standInElectron.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let tmp: string;
let project: string;
let result: CheckResult;
let checkRun: CheckRun;

interface CheckRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run dist:check -- --project <project> --out <out>`, as a process of its own (its exit status is the point). */
function runDistCheck(out: string): Promise<CheckRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron', 'build', 'dist.ts'), '--check', '--project', project, '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A copy of the project's node_modules made of hard links (a plain copy where links fail). Not a symlink: npm, which
 * electron-builder asks for the production dependencies, misreads a symlinked node_modules as soon as its hidden
 * lockfile is stale (any write into node_modules, e.g. Vite's cache, makes it so) and then leaves out sharp's
 * platform packages.
 */
function linkCopyNodeModules(dest: string): void {
  const src = path.join(ROOT, 'node_modules');
  const r = process.platform === 'linux' ? spawnSync('cp', ['-al', src, dest], { stdio: 'ignore' }) : null;
  if (r?.status !== 0) fs.cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
}

beforeAll(async () => {
  // Inside the project's (ignored) out/ folder, so that hard links stay on one filesystem.
  fs.mkdirSync(path.join(ROOT, 'out'), { recursive: true });
  tmp = fs.mkdtempSync(path.join(ROOT, 'out', 'packaging-test-'));
  project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) fs.copyFileSync(path.join(ROOT, file), path.join(project, file));
  fs.symlinkSync(path.join(ROOT, 'resources'), path.join(project, 'resources'), 'dir');
  linkCopyNodeModules(path.join(project, 'node_modules'));
  // Building the real renderer takes a minute; a small stand-in page is enough to see where the UI lands.
  const renderer = path.join(tmp, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PhotoCluster</title><script type="module" src="/assets/index-1.js"></script>');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-1.js'), 'document.title = "PhotoCluster";');
  await stageApp({ root: ROOT, outDir: path.join(project, 'dist', 'app'), rendererDir: renderer });
  // Development leftovers in the staging folder must not leak into the package either.
  fs.writeFileSync(path.join(project, 'dist', 'app', 'electron', 'main.js.map'), '{}');
  checkRun = await runDistCheck(path.join(tmp, 'out'));
  result = JSON.parse(fs.readFileSync(path.join(tmp, 'out', 'check.json'), 'utf8')) as CheckResult;
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the packaged app (electron-builder --linux dir)', () => {
  it('has the main process, preload, service and ML worker entries, core and renderer in app.asar', () => {
    for (const file of ['/electron/main.js', '/electron/preload.cjs', '/electron/service-host.js', '/electron/ml-host.js', '/core/api.js', '/core/service/mlWorker.js', '/renderer/index.html', '/renderer/assets/index-1.js', '/resources/icons/png/512x512.png']) {
      expect(result.entries, file).toContain(file);
    }
    expect(result.problems).toEqual([]);
    expect(checkRun.stdout, checkRun.stderr).toContain('no problems');
    expect(checkRun.code).toBe(0);
  });

  it('leaves out tests, source maps, sources, tooling and development dependencies', () => {
    const own = result.entries.filter((e) => !e.startsWith('/node_modules/'));
    expect(own.filter((e) => /\.test\.|\.spec\.|\.map$|\.ts$/.test(e))).toEqual([]);
    expect(own.filter((e) => /^\/(test|e2e|bench|electron\/(build|dev|testSupport))(\/|$)/.test(e))).toEqual([]);
    expect(own).not.toContain('/electron-builder.yml');
    expect(own).not.toContain('/tsconfig.json');
    for (const dev of ['tsx', 'esbuild', 'electron', 'electron-builder', 'vitest', 'typescript']) expect(result.entries).not.toContain(`/node_modules/${dev}`);
    // Production dependencies the app does load are there, without their own tests and benchmarks.
    for (const dep of ['zod', 'sharp', 'better-sqlite3', 'exifr', '@tensorflow/tfjs-core']) expect(result.entries).toContain(`/node_modules/${dep}`);
    expect(result.entries).toContain('/node_modules/global-agent/dist/factories/createGlobalProxyAgent.js');
    expect(result.entries.filter((e) => /\.(test|spec)\.[cm]?js$|\/(__tests__|bench)(\/|$)/.test(e))).toEqual([]);
  });

  it('unpacks the native addons and keeps the TF.js wasm binaries', () => {
    expect(result.unpacked).toContain('/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(result.unpacked.some((f) => /^\/node_modules\/@img\/sharp-[^/]+\/lib\/sharp-[^/]+\.node$/.test(f))).toBe(true);
    for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      expect(result.unpacked).toContain(`/node_modules/@tensorflow/tfjs-backend-wasm/dist/${wasm}`);
    }
    // Dawn, the WebGPU backend's addon, loads from outside app.asar like the other native modules.
    expect(result.unpacked).toContain(`/node_modules/webgpu/dist/${process.platform}-${process.arch}/dawn.node`);
    // No compiler leftovers of the from-source better-sqlite3 build.
    expect(result.entries.filter((e) => /better-sqlite3\/(deps|src|build\/Release\/obj)/.test(e))).toEqual([]);
  });

  it('starts from the staged main process and flips the fuses', () => {
    expect(ELECTRON_DEFAULT_FUSES).toBe('10110001');
    // RunAsNode off, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity on, only app.asar on,
    // browser V8 snapshot off, extra file: privileges off.
    expect(result.fuses).toBe('01001100');
  });
});

describe('dist:check', () => {
  it('exits 1 and names the problem when the package has one', async () => {
    fs.rmSync(path.join(project, 'dist', 'app', 'electron', 'ml-host.js'));

    const broken = await runDistCheck(path.join(tmp, 'out-broken'));

    expect(broken.stdout, broken.stderr).toMatch(/problems:\n  missing \/electron\/ml-host\.js\n/);
    expect(broken.code).toBe(1);
  }, 180_000);
});

describe('inspectPackage', () => {
  it('flags a package that misses entry points and carries tests, sources and maps', async () => {
    const { default: asar } = await import('@electron/asar');
    const { inspectPackage } = await import('./inspectPackage.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-inspect-'));
    const app = path.join(dir, 'app');
    fs.mkdirSync(path.join(app, 'electron'), { recursive: true });
    fs.mkdirSync(path.join(app, 'e2e'));
    fs.writeFileSync(path.join(app, 'package.json'), '{"main":"index.js"}');
    fs.mkdirSync(path.join(app, 'renderer'));
    fs.mkdirSync(path.join(app, 'resources', 'icons'), { recursive: true });
    fs.mkdirSync(path.join(app, 'node_modules', 'dep', 'dist'), { recursive: true });
    const files = ['electron/main.js', 'electron/main.js.map', 'electron/ipc.test.js', 'electron/ipc.ts', 'e2e/shell.spec.ts', 'tsconfig.json'];
    files.push('renderer/favicon.svg', 'resources/icons/icon.svg', 'node_modules/dep/dist/index.js', 'node_modules/dep/dist/index.test.js');
    for (const f of files) fs.writeFileSync(path.join(app, f), '');
    await asar.createPackage(app, path.join(dir, 'out', 'resources', 'app.asar'));
    const { problems } = inspectPackage(path.join(dir, 'out'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'missing /electron/preload.cjs',
        'missing /renderer/index.html',
        '/electron/main.js.map is a source map',
        '/electron/ipc.test.js is a test file',
        '/electron/ipc.ts is TypeScript source',
        '/e2e is a development folder',
        '/tsconfig.json is a development file',
        'package.json main is "index.js", not electron/main.js',
        '/resources/icons/icon.svg is the icon source',
        "/node_modules/dep/dist/index.test.js is a dependency's test file",
      ]),
    );
    // The page's favicon and a dependency's code are what a package should hold.
    expect(problems.filter((p) => p.includes('favicon') || p.includes('dep/dist/index.js '))).toEqual([]);
    expect(problems.some((p) => p.startsWith('no unpacked file matches') && p.includes('better_sqlite3'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
