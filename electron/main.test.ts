/**
 * The built main process (dist/app/electron/main.js) run in plain Node against a scripted stand-in for `electron`
 * (testSupport/fakeElectron.mjs) and a stand-in service: checks how main.js wires the pure modules to Electron —
 * order of start-up calls, window options, IPC and protocol registration, event forwarding, the window's rules, and
 * shutdown. The real Electron behaviour behind those calls is covered by the e2e project where a binary exists.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../core/api.js';
import { stageApp } from './build/stageApp.js';
import { EVENT_CHANNEL, invokeChannel } from './channels.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const REGISTER = path.join(import.meta.dirname, 'testSupport', 'registerFakeElectron.mjs');
let tmp: string;
let appDir: string;
const running: ChildProcess[] = [];

interface LogEntry {
  what: string;
  detail: unknown;
  ready: boolean;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-main-'));
  appDir = path.join(tmp, 'app');
  fs.mkdirSync(appDir);
  // Bare imports (zod, ws) resolve from the repository's packages, as they do from dist/app in development.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
  const renderer = path.join(tmp, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PhotoCluster</title>');
  await stageApp({ root: ROOT, outDir: appDir, rendererDir: renderer });
  fs.copyFileSync(path.join(import.meta.dirname, 'testSupport', 'fakeService.mjs'), path.join(appDir, 'core', 'service', 'service.js'));
});

afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Main {
  child: ChildProcess;
  dataDir: string;
  ask<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
  exited: Promise<{ code: number; log: LogEntry[] }>;
}

function launch(env: Record<string, string> = {}): Main {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const child = fork(path.join(appDir, 'electron', 'main.js'), [], {
    execArgv: ['--import', REGISTER],
    env: { ...process.env, PHOTOCLUSTER_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  let nextId = 1;
  const waiting = new Map<number, (body: Record<string, unknown>) => void>();
  let exitLog: LogEntry[] = [];
  child.on('message', (msg: { type: string; id?: number; log?: LogEntry[] } & Record<string, unknown>) => {
    if (msg.type === 'reply') waiting.get(msg.id!)?.(msg);
    if (msg.type === 'exit') exitLog = msg.log ?? [];
  });
  const exited = new Promise<{ code: number; log: LogEntry[] }>((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, log: exitLog })));
  return {
    child,
    dataDir,
    exited,
    ask<T>(cmd: Record<string, unknown>) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(cmd)}; stderr:\n${stderr}`)), 10_000);
        waiting.set(id, (body) => {
          clearTimeout(timer);
          if (body.error) reject(new Error(String(body.error)));
          else resolve(body as T);
        });
        child.send({ id, ...cmd });
      });
    },
  };
}

interface State {
  log: LogEntry[];
  channels: string[];
  schemes: string[];
  windows: Array<{ shown: boolean; webContentsId: number }>;
}

async function started(main: Main): Promise<State> {
  for (let i = 0; i < 200; i++) {
    const state = await main.ask<State>({ cmd: 'state' });
    if (state.windows[0]?.shown && state.schemes.length === 2) return state;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the main process did not open its window');
}

const ourPage = { senderId: 1, frame: { url: 'app://photocluster/', parent: null } };

describe('the main process', () => {
  it('registers its schemes and sandbox before ready, keeps its profile in the data folder and opens one window on our page', async () => {
    const main = launch();
    const state = await started(main);
    const first = (what: string) => state.log.find((e) => e.what === what)!;
    const schemes = first('protocol.registerSchemesAsPrivileged');
    expect(schemes.ready).toBe(false);
    expect((schemes.detail as Array<{ scheme: string; privileges: Record<string, boolean> }>).map((s) => [s.scheme, s.privileges.standard, s.privileges.secure])).toEqual([
      ['app', true, true],
      ['thumb', true, true],
    ]);
    expect(first('app.enableSandbox').ready).toBe(false);
    expect(first('app.setPath')).toMatchObject({ detail: ['userData', path.join(main.dataDir, 'desktop')], ready: false });
    expect(state.log.findIndex((e) => e.what === 'app.setPath')).toBeLessThan(state.log.findIndex((e) => e.what === 'app.requestSingleInstanceLock'));

    const windows = state.log.filter((e) => e.what === 'BrowserWindow');
    expect(windows).toHaveLength(1);
    const options = windows[0]!.detail as { webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(options.webPreferences.preload).toBe(path.join(appDir, 'electron', 'preload.cjs'));
    expect(fs.existsSync(options.webPreferences.preload as string)).toBe(true);
    expect(first('loadURL').detail).toBe('app://photocluster/');
    expect(first('Menu.setApplicationMenu').detail).toEqual(['File', 'Edit', 'View', 'Window', 'help']);
    expect(first('session.setPermissionCheckHandler').detail).toBe(false);

    const service = await main.ask({ cmd: 'serviceOptions' });
    expect(service).toMatchObject({ platform: 'electron', spawnWorker: 'function', shell: ['openPath', 'revealPath', 'showFolderDialog'] });
    expect((service.paths as { dataDir: string }).dataDir).toBe(main.dataDir);
    expect(fs.readFileSync(path.join(main.dataDir, 'logs', 'desktop.log'), 'utf8')).toContain('PhotoCluster 0.1.0 starting');
  });

  it('answers every contract method over IPC for our page only, with the contract validation', async () => {
    const main = launch();
    const state = await started(main);
    expect(state.channels.sort()).toEqual(METHOD_NAMES.map(invokeChannel).sort());
    const ok = await main.ask<{ result: unknown }>({ cmd: 'invoke', channel: invokeChannel('getLibrary'), args: { libraryId: 3 }, ...ourPage });
    expect(ok.result).toEqual({ ok: true, result: { method: 'getLibrary', args: { libraryId: 3 } } });
    const bad = await main.ask<{ result: { ok: boolean; error: { code: string } } }>({ cmd: 'invoke', channel: invokeChannel('getLibrary'), args: { libraryId: 'x' }, ...ourPage });
    expect(bad.result.error.code).toBe('bad_request');
    const foreign = await main.ask<{ result: { ok: boolean; error: { code: string } } }>({
      cmd: 'invoke',
      channel: invokeChannel('getLibrary'),
      args: { libraryId: 3 },
      senderId: 1,
      frame: { url: 'https://evil.example/', parent: null },
    });
    expect(foreign.result.error.code).toBe('forbidden');
  });

  it('serves the renderer with its CSP and thumbnails from the cache by id', async () => {
    const main = launch();
    await started(main);
    const page = await main.ask<{ status: number; headers: Record<string, string>; body: string }>({ cmd: 'request', scheme: 'app', url: 'app://photocluster/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PhotoCluster</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    fs.mkdirSync(path.join(main.dataDir, 'cache'), { recursive: true });
    fs.writeFileSync(path.join(main.dataDir, 'cache', 't.webp'), 'RIFFWEBP');
    expect(await main.ask({ cmd: 'request', scheme: 'thumb', url: 'thumb://thumb/7' })).toMatchObject({ status: 200, body: 'RIFFWEBP' });
    expect(await main.ask({ cmd: 'request', scheme: 'thumb', url: 'thumb://thumb/..%2f7' })).toMatchObject({ status: 400 });
    expect(await main.ask({ cmd: 'request', scheme: 'thumb', url: 'thumb://thumb/8' })).toMatchObject({ status: 404 });
  });

  it('runs the service in a utility process of its own, and relays its dialog requests to main', async () => {
    const main = launch();
    const state = await started(main);
    const forks = state.log.filter((e) => e.what === 'utilityProcess.fork').map((e) => e.detail as { modulePath: string; options: { serviceName: string } });
    expect(forks).toEqual([expect.objectContaining({ modulePath: path.join(appDir, 'electron', 'service-host.js'), options: expect.objectContaining({ serviceName: 'PhotoCluster Service' }) })]);
    const picked = await main.ask<{ result: { ok: boolean; result: { picked: string } } }>({ cmd: 'invoke', channel: invokeChannel('showFolderDialog'), args: {}, ...ourPage });
    expect(picked.result).toMatchObject({ ok: true, result: { picked: '/picked/folder' } });
    expect((await main.ask<State>({ cmd: 'state' })).log.filter((e) => e.what === 'dialog.showOpenDialog')).toHaveLength(1);
  });

  it("starts a new service process when it dies, reloads the window's page and answers again", async () => {
    const main = launch();
    await started(main);
    const call = () => main.ask<{ result: unknown }>({ cmd: 'invoke', channel: invokeChannel('getLibrary'), args: { libraryId: 3 }, ...ourPage });
    // Answered once the service is open: a process that ends before that is a failed start, not a crash.
    expect((await call()).result).toMatchObject({ ok: true });
    const { pid } = await main.ask<{ pid: number }>({ cmd: 'endService' });
    // The new process has opened the service once it reports its options again.
    await main.ask({ cmd: 'serviceOptions' });
    const ok = await call();
    expect(ok.result).toEqual({ ok: true, result: { method: 'getLibrary', args: { libraryId: 3 } } });
    const { pids } = await main.ask<{ pids: Array<{ serviceName: string; pid: number }> }>({ cmd: 'utilityProcesses' });
    expect(pids.map((p) => p.serviceName)).toEqual(['PhotoCluster Service', 'PhotoCluster Service']);
    expect(pids[1]!.pid).not.toBe(pid);
    const reloads = async () => (await main.ask<State>({ cmd: 'state' })).log.filter((e) => e.what === 'webContents.reload');
    for (let i = 0; i < 200 && (await reloads()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await reloads()).map((e) => e.detail)).toEqual([1]);
    expect(fs.readFileSync(path.join(main.dataDir, 'logs', 'desktop.log'), 'utf8')).toMatch(/the service process ended: exit code 137/);
  });

  it('forwards service events to the window', async () => {
    const main = launch();
    await started(main);
    const payload = { libraryId: 4, parts: ['clusters'] };
    await main.ask({ cmd: 'emit', event: 'libraryChanged', payload });
    expect((await main.ask<{ sent: unknown[] }>({ cmd: 'sent' })).sent).toEqual([[EVENT_CHANNEL, { event: 'libraryChanged', payload }]]);
  });

  it('denies new windows and navigation away, grants no permission and cancels web requests', async () => {
    const main = launch();
    await started(main);
    expect(await main.ask({ cmd: 'windowOpen', url: 'https://example.com/help' })).toMatchObject({ result: { action: 'deny' }, externalOpened: ['https://example.com/help'] });
    expect(await main.ask({ cmd: 'windowOpen', url: 'file:///etc/passwd' })).toMatchObject({ result: { action: 'deny' }, externalOpened: ['https://example.com/help'] });
    expect(await main.ask({ cmd: 'navigate', url: 'https://example.com/' })).toEqual(expect.objectContaining({ prevented: true }));
    expect(await main.ask({ cmd: 'navigate', url: 'app://photocluster/library/1' })).toEqual(expect.objectContaining({ prevented: false }));
    expect(await main.ask({ cmd: 'permission', permission: 'media' })).toEqual(expect.objectContaining({ granted: false }));
    expect(await main.ask({ cmd: 'beforeRequest', url: 'https://tracker.example/p.gif' })).toEqual(expect.objectContaining({ answer: { cancel: true } }));
    expect(await main.ask({ cmd: 'beforeRequest', url: 'thumb://thumb/1' })).toEqual(expect.objectContaining({ answer: { cancel: false } }));
  });

  it('closes the service before it quits', async () => {
    const main = launch();
    await started(main);
    await main.ask({ cmd: 'quit' });
    const { code, log } = await main.exited;
    expect(code).toBe(0);
    const order = log.map((e) => e.what).filter((w) => w === 'app.quit' || w === 'service.close');
    expect(order).toEqual(['app.quit', 'service.close', 'app.quit']);
  });

  it('leaves at once when another instance owns the data folder', async () => {
    const main = launch({ FAKE_ELECTRON_LOCK: 'taken' });
    const { code, log } = await main.exited;
    expect(code).toBe(0);
    expect(log.map((e) => e.what)).not.toContain('BrowserWindow');
  });

  it('tells the user when the service cannot start, and ends', async () => {
    const main = launch({ FAKE_SERVICE_FAIL: 'the database is locked by another program' });
    const { code, log } = await main.exited;
    expect(code).toBe(1);
    const box = log.find((e) => e.what === 'dialog.showErrorBox')!;
    expect(box.detail).toEqual(['PhotoCluster could not start', expect.stringContaining('the database is locked by another program')]);
  });
});
