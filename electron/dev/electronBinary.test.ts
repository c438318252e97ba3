import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayProblem, findElectronBinary, probeElectron } from './electronBinary.js';
import { ensureElectronNativeModules } from './prepareApp.js';
import { planLaunch } from './start.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-electron-bin-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeRepo(name: string, opts: { pathTxt?: string; binary?: string }): string {
  const root = path.join(tmp, name);
  const pkg = path.join(root, 'node_modules', 'electron');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
  if (opts.pathTxt !== undefined) fs.writeFileSync(path.join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary !== undefined) fs.writeFileSync(path.join(pkg, 'dist', opts.binary), '#!/bin/sh\n', { mode: 0o755 });
  return root;
}

function script(name: string, body: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('findElectronBinary', () => {
  it('says what is missing: the package, the download, or the file', () => {
    expect(findElectronBinary({ root: path.join(tmp, 'nothing'), env: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('npm install') });
    expect(findElectronBinary({ root: fakeRepo('no-download', {}), env: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('has not been downloaded') });
    expect(findElectronBinary({ root: fakeRepo('gone', { pathTxt: 'electron' }), env: {} })).toMatchObject({ ok: false, reason: expect.stringContaining('missing at') });
  });

  it('finds the downloaded binary, or the one ELECTRON_OVERRIDE_DIST_PATH points at', () => {
    const root = fakeRepo('present', { pathTxt: 'electron', binary: 'electron' });
    expect(findElectronBinary({ root, env: {} })).toEqual({ ok: true, binary: path.join(root, 'node_modules', 'electron', 'dist', 'electron'), version: '45.5.0' });
    const custom = path.join(tmp, 'custom-dist');
    fs.mkdirSync(custom, { recursive: true });
    fs.writeFileSync(path.join(custom, 'electron'), '');
    expect(findElectronBinary({ root: fakeRepo('override', {}), env: { ELECTRON_OVERRIDE_DIST_PATH: custom } })).toMatchObject({ ok: true, binary: path.join(custom, 'electron') });
  });
});

describe('probeElectron', () => {
  it('accepts a binary that runs as Node and reports its Electron version', () => {
    const ok = script('electron-ok', '[ "$ELECTRON_RUN_AS_NODE" = 1 ] && printf 45.5.0 && exit 0\nexit 9');
    expect(probeElectron(ok)).toEqual({ ok: true, binary: ok, version: '45.5.0' });
  });

  it('reports why a binary does not run', () => {
    const broken = script('electron-broken', 'echo "error while loading shared libraries: libnss3.so" >&2\nexit 127');
    expect(probeElectron(broken)).toMatchObject({ ok: false, reason: expect.stringContaining('libnss3.so') });
    expect(probeElectron(path.join(tmp, 'no-such-binary'))).toMatchObject({ ok: false, reason: expect.stringContaining('could not be started') });
  });
});

describe('displayProblem and planLaunch', () => {
  it('needs a display on Linux only', () => {
    expect(displayProblem({}, 'linux')).toMatch(/no display/);
    expect(displayProblem({ DISPLAY: ':99' }, 'linux')).toBeNull();
    expect(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(displayProblem({}, 'darwin')).toBeNull();
  });

  it('starts Electron when it is available and browser mode otherwise, with the reason', () => {
    const available = () => ({ ok: true as const, binary: '/e', version: '45.5.0' });
    const unavailable = () => ({ ok: false as const, reason: 'no binary here' });
    expect(planLaunch([], {}, available)).toEqual({ mode: 'electron', binary: '/e', version: '45.5.0' });
    expect(planLaunch([], {}, unavailable)).toEqual({ mode: 'browser', reason: 'no binary here' });
    expect(planLaunch(['--browser'], {}, available)).toEqual({ mode: 'browser', reason: 'browser mode was asked for' });
    expect(planLaunch([], { PHOTOCLUSTER_MODE: 'browser' }, available).mode).toBe('browser');
  });
});

describe('ensureElectronNativeModules', () => {
  it('builds better-sqlite3 for Electron inside the staged app, once per version, leaving the repository copy alone', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const appDir = path.join(tmp, 'app');
    fs.mkdirSync(appDir, { recursive: true });
    const calls: unknown[] = [];
    const rebuild = async (opts: unknown) => void calls.push(opts);
    const repoAddon = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const before = fs.statSync(repoAddon).mtimeMs;
    await ensureElectronNativeModules(root, appDir, '45.5.0', () => {}, rebuild);
    expect(calls).toEqual([{ buildPath: appDir, electronVersion: '45.5.0', onlyModules: ['better-sqlite3'], force: true }]);
    const copy = path.join(appDir, 'node_modules', 'better-sqlite3');
    expect(fs.existsSync(path.join(copy, 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(copy, 'build'))).toBe(false);
    await ensureElectronNativeModules(root, appDir, '45.5.0', () => {}, rebuild);
    expect(calls).toHaveLength(1);
    await ensureElectronNativeModules(root, appDir, '46.0.0', () => {}, rebuild);
    expect(calls).toHaveLength(2);
    expect(fs.statSync(repoAddon).mtimeMs).toBe(before);
  });
});
