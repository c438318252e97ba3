// Test support: a scripted stand-in for the `electron` module, so the built main process (dist/app/electron/main.js)
// can run in plain Node. It records what main.js asks of Electron and lets the test drive it over Node IPC: call an
// IPC handler as a given sender, request a URL from a registered protocol, fire window events, emit service events,
// end a utility process, quit. Registered for the `electron` specifier by registerFakeElectron.mjs.
//
// Utility processes are real child processes (utilityProcessFork.mjs). The stand-in service inside one
// (fakeService.mjs) talks to this fake over the same channel in messages marked `fakeService`, which main.js never
// sees: it reports the options it was created with and the calls to record, and emits events when told.
import { EventEmitter } from 'node:events';
import { forkUtilityProcess } from './utilityProcessFork.mjs';

const log = [];
const record = (what, detail = null) => log.push({ what, detail, ready: state.ready });
globalThis.__fakeElectronRecord = record;
const state = { ready: false, paths: {}, name: 'Electron', exitCode: null };
const ipcHandlers = new Map();
const protocolHandlers = new Map();
const windows = [];
const externalOpened = [];
const utilityProcesses = [];
let fakeServiceOptions = null;
let permissionRequest = null;
let beforeRequest = null;

function electronEvent() {
  const e = { defaultPrevented: false, preventDefault: () => (e.defaultPrevented = true) };
  return e;
}

class FakeWebContents extends EventEmitter {
  constructor(id) {
    super();
    this.id = id;
    this.sent = [];
    this.windowOpenHandler = null;
  }
  send(...args) {
    this.sent.push(args);
  }
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  reload() {
    record('webContents.reload', this.id);
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(windows.length + 1);
    this.bounds = { x: options.x, y: options.y, width: options.width, height: options.height };
    this.shown = false;
    windows.push(this);
    record('BrowserWindow', options);
    app.emit('web-contents-created', electronEvent(), this.webContents);
  }
  static getAllWindows() {
    return windows;
  }
  loadURL(url) {
    record('loadURL', url);
    setTimeout(() => this.emit('ready-to-show'), 5);
    return Promise.resolve();
  }
  show() {
    this.shown = true;
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  isMaximized() {
    return false;
  }
  isFullScreen() {
    return false;
  }
  maximize() {}
  setFullScreen() {}
  restore() {}
  focus() {}
  getNormalBounds() {
    return this.bounds;
  }
}

class FakeApp extends EventEmitter {
  get name() {
    return state.name;
  }
  setName(name) {
    state.name = name;
    record('app.setName', name);
  }
  getVersion() {
    return '0.1.0';
  }
  get isPackaged() {
    return false;
  }
  setPath(key, value) {
    state.paths[key] = value;
    record('app.setPath', [key, value]);
  }
  getPath(key) {
    return state.paths[key];
  }
  enableSandbox() {
    record('app.enableSandbox');
  }
  requestSingleInstanceLock() {
    record('app.requestSingleInstanceLock');
    return process.env.FAKE_ELECTRON_LOCK !== 'taken';
  }
  whenReady() {
    return new Promise((resolve) =>
      setTimeout(() => {
        state.ready = true;
        this.emit('ready');
        resolve();
      }, 10),
    );
  }
  setAboutPanelOptions(options) {
    record('app.setAboutPanelOptions', options);
  }
  quit() {
    record('app.quit');
    const e = electronEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) finish(0);
  }
  exit(code) {
    record('app.exit', code);
    finish(code);
  }
}

export const app = new FakeApp();

function finish(code) {
  if (state.exitCode !== null) return;
  state.exitCode = code;
  process.send?.({ type: 'exit', code, log: serializable(log) }, () => process.exit(code));
  if (!process.send) process.exit(code);
}

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme, handler) {
    protocolHandlers.set(scheme, handler);
    record('protocol.handle', scheme);
  },
};

export const ipcMain = {
  handle(channel, listener) {
    ipcHandlers.set(channel, listener);
  },
  removeHandler(channel) {
    ipcHandlers.delete(channel);
  },
};

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu(menu) {
    record('Menu.setApplicationMenu', menu.template.map((m) => m.label ?? m.role));
  },
};

export const dialog = {
  async showOpenDialog(...args) {
    record('dialog.showOpenDialog', args.length);
    return { canceled: false, filePaths: ['/picked/folder'] };
  },
  showErrorBox(title, content) {
    record('dialog.showErrorBox', [title, content]);
  },
};

export const shell = {
  async openPath(p) {
    record('shell.openPath', p);
    return '';
  },
  showItemInFolder(p) {
    record('shell.showItemInFolder', p);
  },
  async openExternal(url) {
    externalOpened.push(url);
  },
};

export const nativeTheme = { shouldUseDarkColors: false };

export const screen = {
  getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
  getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      permissionRequest = handler;
    },
    setPermissionCheckHandler(handler) {
      record('session.setPermissionCheckHandler', handler(null, 'media'));
    },
    webRequest: {
      onBeforeRequest(handler) {
        beforeRequest = handler;
      },
    },
  },
};

export const utilityProcess = {
  fork(modulePath, args, options) {
    record('utilityProcess.fork', { modulePath, args, options });
    const proc = forkUtilityProcess(modulePath, args);
    utilityProcesses.push({ serviceName: options?.serviceName, proc });
    const on = proc.on.bind(proc);
    on('message', (m) => {
      if (m?.fakeService === 'options') fakeServiceOptions = m.options;
      if (m?.fakeService === 'record') record(m.what, m.detail ?? null);
    });
    proc.on = (event, listener) => (event === 'message' ? on('message', (m) => m?.fakeService || listener(m)) : on(event, listener), proc);
    return proc;
  },
};

// Within the test's 10 s for an answer: a process starting on a busy machine takes seconds.
async function until(condition, what) {
  for (const end = Date.now() + 8_000; Date.now() < end; ) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const liveService = () => utilityProcesses.filter((u) => u.serviceName === 'PhotoCluster Service').at(-1)?.proc;

function serializable(value) {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'function' ? '[function]' : v)));
}

/** Commands from the test. */
process.on('message', async (msg) => {
  const reply = (body) => process.send({ type: 'reply', id: msg.id, ...body });
  try {
    switch (msg.cmd) {
      case 'state':
        return reply({
          log: serializable(log),
          channels: [...ipcHandlers.keys()],
          schemes: [...protocolHandlers.keys()],
          windows: windows.map((w) => ({ shown: w.shown, webContentsId: w.webContents.id })),
        });
      case 'invoke': {
        const handler = ipcHandlers.get(msg.channel);
        const event = { sender: { id: msg.senderId }, senderFrame: msg.frame };
        return reply({ result: await handler(event, msg.args) });
      }
      case 'request': {
        const res = await protocolHandlers.get(msg.scheme)(new Request(msg.url, { method: msg.method ?? 'GET' }));
        return reply({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });
      }
      case 'sent':
        return reply({ sent: windows[0].webContents.sent });
      case 'windowOpen':
        return reply({ result: windows[0].webContents.windowOpenHandler({ url: msg.url }), externalOpened });
      case 'navigate': {
        const e = electronEvent();
        e.url = msg.url;
        windows[0].webContents.emit('will-navigate', e);
        return reply({ prevented: e.defaultPrevented });
      }
      case 'permission':
        return permissionRequest(windows[0].webContents, msg.permission, (granted) => reply({ granted }));
      case 'beforeRequest':
        return beforeRequest({ url: msg.url }, (answer) => reply({ answer }));
      case 'serviceOptions': {
        // The service opens in its own process and may come after the window (on a busy machine it does).
        await until(() => fakeServiceOptions, 'the service to be created');
        return reply(fakeServiceOptions);
      }
      case 'emit': {
        // Answered once the event has reached the window, so the test can look at what it was sent.
        const before = windows[0].webContents.sent.length;
        await until(() => fakeServiceOptions, 'the service to be created');
        liveService().postMessage({ fakeService: 'emit', event: msg.event, payload: msg.payload });
        await until(() => windows[0].webContents.sent.length > before, 'the event to reach the window');
        return reply({});
      }
      case 'endService': {
        // The service process dies as if it crashed; a new one must take its place.
        fakeServiceOptions = null;
        const proc = liveService();
        process.kill(proc.pid, 'SIGKILL');
        return reply({ pid: proc.pid });
      }
      case 'utilityProcesses':
        return reply({ pids: utilityProcesses.map((u) => ({ serviceName: u.serviceName, pid: u.proc.pid })) });
      case 'quit':
        reply({});
        return app.quit();
      default:
        return reply({ error: `unknown command ${msg.cmd}` });
    }
  } catch (err) {
    reply({ error: String(err?.stack ?? err) });
  }
});

export default { app, BrowserWindow, Menu, dialog, ipcMain, nativeTheme, protocol, screen, session, shell, utilityProcess };
