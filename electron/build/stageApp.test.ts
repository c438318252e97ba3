import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../core/api.js';
import { MlHost } from '../../core/service/mlHost.js';
import { forkStandIn } from '../testSupport/utilityProcessStandIn.js';
import { createUtilityWorkerSpawner } from '../utilityWorkerPort.js';
import { appSourceFiles, stageApp, type StageReport } from './stageApp.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let tmp: string;
let out: string;
let report: StageReport;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-stage-'));
  const renderer = path.join(tmp, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PhotoCluster</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'a.js'), '1');
  out = path.join(tmp, 'app');
  // A native-module cache from an earlier development run must survive restaging.
  fs.mkdirSync(path.join(out, 'node_modules', 'kept'), { recursive: true });
  fs.writeFileSync(path.join(out, 'stale.js'), 'old');
  report = await stageApp({ root: ROOT, outDir: out, rendererDir: renderer });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function stagedFiles(): string[] {
  return (fs.readdirSync(out, { recursive: true }) as string[]).filter((f) => !f.startsWith('node_modules') && fs.statSync(path.join(out, f)).isFile()).sort();
}

describe('stageApp', () => {
  it('transpiles every app module into the same layout, and nothing else', () => {
    const expected = appSourceFiles(ROOT).map((f) => path.relative(ROOT, f).replace(/\.ts$/, '.js'));
    const js = stagedFiles().filter((f) => f.endsWith('.js') && !f.startsWith('renderer'));
    expect(js).toEqual(expected.sort());
    expect(expected).toContain(path.join('electron', 'main.js'));
    expect(expected).toContain(path.join('electron', 'ml-host.js'));
    expect(expected).toContain(path.join('electron', 'service-host.js'));
    expect(expected).toContain(path.join('core', 'service', 'mlWorker.js'));
    expect(js.filter((f) => /\.test\.js$|testSupport|[\\/](build|dev)[\\/]/.test(f))).toEqual([]);
    expect(stagedFiles()).not.toContain('stale.js');
    expect(fs.existsSync(path.join(out, 'node_modules', 'kept'))).toBe(true);
    expect(report.modules).toBe(expected.length);
  });

  it('writes an ES-module package whose main is the main process', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', main: 'electron/main.js', productName: 'PhotoCluster' });
    expect(pkg.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('produces modules that load in plain Node', async () => {
    const api = await import(pathToFileURL(path.join(out, 'core', 'api.js')).href);
    expect(api.METHOD_NAMES).toEqual(METHOD_NAMES);
    const protocols = await import(pathToFileURL(path.join(out, 'electron', 'protocols.js')).href);
    expect(protocols.desktopContentSecurityPolicy()).toContain("script-src 'self'");
  });

  it('bundles a preload that needs nothing but electron and exposes exactly the contract', async () => {
    const code = fs.readFileSync(path.join(out, 'electron', 'preload.cjs'), 'utf8');
    expect(report.preloadBytes).toBeLessThan(20_000);
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
      ipcRenderer: { invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, result: 'pong' }), on: () => {} },
    };
    const sandboxRequire = (id: string) => {
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
      return electron;
    };
    vm.runInNewContext(code, { require: sandboxRequire, console });
    expect(Object.keys(exposed)).toEqual(['photocluster']);
    const bridge = exposed.photocluster as Record<string, (args?: unknown) => Promise<unknown>>;
    expect(Object.keys(bridge).sort()).toEqual([...METHOD_NAMES, 'on'].sort());
    await expect(bridge.getSettings!({})).resolves.toBe('pong');
    expect(invoked).toEqual([['photocluster:call:getSettings', {}]]);
    expect(() => (bridge.on as unknown as (e: string, l: () => void) => void)(EVENT_NAMES[0], () => {})).not.toThrow();
  });

  it('copies the renderer and the run-time resources, not the icon source or packaging files', () => {
    const files = stagedFiles();
    expect(files).toEqual(expect.arrayContaining([path.join('renderer', 'index.html'), path.join('renderer', 'assets', 'a.js'), path.join('resources', 'icons', 'png', '512x512.png')]));
    expect(files.filter((f) => f.endsWith('.svg') || f.startsWith(path.join('resources', 'build')))).toEqual([]);
    expect(report.rendererFiles).toBe(2);
  });

  it('runs the built ML worker entry as plain JavaScript', async () => {
    const spawner = createUtilityWorkerSpawner({
      fork: forkStandIn,
      entry: path.join(out, 'electron', 'ml-host.js'),
      tasksModule: path.join(ROOT, 'test', 'fixtures', 'workerTasks.ts'),
      goneGraceMs: 20,
    });
    const host = new MlHost(spawner.spawn);
    expect(await host.run('echo', { values: new Float32Array([1, 2]) })).toMatchObject({ sum: 3 });
    host.stop();
  });

  it('refuses to stage without a built renderer unless told to', async () => {
    await expect(stageApp({ root: ROOT, outDir: path.join(tmp, 'other'), rendererDir: path.join(tmp, 'missing') })).rejects.toThrow(/build:renderer/);
  });
});
