/**
 * PhotoCluster's Electron main process: one window onto the core service. Deliberately thin — the decisions live in
 * pure modules beside it (ipc, protocols, windowOptions, windowState, menu, shellIntegration, serviceProcess,
 * utilityWorkerPort), each tested in plain Node; this file only wires them to Electron.
 *
 * Processes: main keeps the window, menus, dialogs, the custom protocols and the IPC handlers (sender check and
 * argument validation); the service (SQLite, scans, exports, jobs) runs in a utility process (service-host.js) that
 * main relays each checked call to; the ML worker runs in another (ml-host.js), forked by main at the service's
 * request because only main can fork utility processes.
 *
 * Layout at run time (the build stages it in dist/app, the package in app.asar): electron/main.js, preload.cjs,
 * service-host.js, ml-host.js beside core/**.js, renderer/ (the Vite build) and resources/.
 */
import electron from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDataPaths } from '../core/paths.js';
import { APP_ORIGIN, APP_SCHEME, THUMB_SCHEME } from './channels.js';
import { forwardEvents, registerApiHandlers } from './ipc.js';
import { openLogFile } from './logFile.js';
import { buildMenuTemplate, HELP_URL } from './menu.js';
import { createAppProtocolHandler, createThumbProtocolHandler, PRIVILEGED_SCHEMES } from './protocols.js';
import { createServiceProcess } from './serviceProcess.js';
import { createShellIntegration } from './shellIntegration.js';
import { createUtilityWorkerSpawner } from './utilityWorkerPort.js';
import { externalUrlToOpen, isAllowedRendererRequest, isNavigationAllowed, mainWindowOptions, MIN_HEIGHT, MIN_WIDTH } from './windowOptions.js';
import { loadWindowState, saveWindowState } from './windowState.js';

const { app, BrowserWindow, Menu, dialog, ipcMain, nativeTheme, protocol, screen, session, shell, utilityProcess } = electron;

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..');
const RENDERER_DIR = path.join(appRoot, 'renderer');
const PRELOAD = path.join(here, 'preload.cjs');
const SERVICE_ENTRY = path.join(here, 'service-host.js');
const ML_ENTRY = path.join(here, 'ml-host.js');
/** The ML task registry (core/ml/worker/tasks.ts), run by the utility process. */
const ML_TASKS = path.join(appRoot, 'core', 'ml', 'worker', 'tasks.js');
const WINDOW_ICON = path.join(appRoot, 'resources', 'icons', 'png', '512x512.png');

// Before `ready`: schemes, sandbox for every renderer, and where Chromium keeps its profile.
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));
app.enableSandbox();
app.setName('PhotoCluster');
const paths = resolveDataPaths();
// Everything of ours in one place (PHOTOCLUSTER_DATA_DIR moves it all): Chromium's profile and the window state too.
app.setPath('userData', path.join(paths.dataDir, 'desktop'));

if (!app.requestSingleInstanceLock()) {
  // Another PhotoCluster owns this data folder; it gets focused through 'second-instance'.
  app.quit();
} else {
  await main();
}

async function main(): Promise<void> {
  const logFile = openLogFile(path.join(paths.dataDir, 'logs', 'desktop.log'));
  const log = (line: string) => logFile.write(line);
  log(`PhotoCluster ${app.getVersion()} starting (Electron ${process.versions.electron}, data in ${paths.dataDir})`);
  process.on('uncaughtException', (err) => log(`uncaught exception: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

  let mainWindow: Electron.BrowserWindow | null = null;
  const liveWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

  app.on('second-instance', () => {
    const win = liveWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));

  await app.whenReady();
  lockDownSession(session.defaultSession);

  const workers = createUtilityWorkerSpawner({
    fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
    entry: ML_ENTRY,
    tasksModule: ML_TASKS,
    log,
  });

  const shellIntegration = createShellIntegration({
    dialog,
    shell,
    showOpenDialog: (options) => {
      const win = liveWindow();
      return win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options);
    },
    log,
  });
  // Requests that arrive while the service is still opening (or restarting) simply wait for it.
  const service = createServiceProcess({
    fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
    entry: SERVICE_ENTRY,
    paths,
    shell: shellIntegration,
    spawnWorker: workers.spawn,
    log,
    onRestarted: (reason) => {
      // Jobs that were running are recorded as interrupted; the page, reloaded on the same view, shows exactly what
      // the database holds instead of waiting for progress that will never come.
      log(`the service restarted after it ended (${reason}); reloading the window`);
      liveWindow()?.webContents.reload();
    },
    onFatal: (message) => {
      log(`the service could not run: ${message}`);
      dialog.showErrorBox('PhotoCluster could not start', `${message}\n\nDetails are in ${logFile.file}.`);
      app.exit(1);
    },
  });
  app.on('child-process-gone', (_event, details) => {
    workers.noteGone(details);
    service.noteGone(details);
  });

  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));
  protocol.handle(THUMB_SCHEME, createThumbProtocolHandler({ media: service.media, cacheDir: paths.cacheDir, log }));
  registerApiHandlers({ ipcMain, api: service.api, trustedWebContentsId: () => liveWindow()?.webContents.id ?? null, log });
  forwardEvents(service, () => liveWindow()?.webContents ?? null);

  app.setAboutPanelOptions({ applicationName: 'PhotoCluster', applicationVersion: app.getVersion(), iconPath: WINDOW_ICON });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        { platform: process.platform, appName: app.name, isDevelopment: !app.isPackaged },
        {
          openDataFolder: () => void shell.openPath(paths.dataDir),
          openLogFile: () => shell.showItemInFolder(logFile.file),
          openHelp: () => void shell.openExternal(HELP_URL),
        },
      ),
    ),
  );

  function createWindow(): void {
    const primary = screen.getPrimaryDisplay();
    const workAreas = [primary.workArea, ...screen.getAllDisplays().filter((d) => d.id !== primary.id).map((d) => d.workArea)];
    const stateFile = path.join(app.getPath('userData'), 'window-state.json');
    const state = loadWindowState(stateFile, workAreas, { width: MIN_WIDTH, height: MIN_HEIGHT });
    const win = new BrowserWindow(
      mainWindowOptions({
        preloadPath: PRELOAD,
        bounds: state.bounds,
        ...(process.platform === 'darwin' ? {} : { iconPath: WINDOW_ICON }),
        darkBackground: nativeTheme.shouldUseDarkColors,
        devTools: !app.isPackaged,
      }),
    );
    mainWindow = win;
    win.once('ready-to-show', () => {
      if (state.maximized) win.maximize();
      if (state.fullScreen) win.setFullScreen(true);
      win.show();
    });
    const save = () => {
      try {
        saveWindowState(stateFile, { bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() });
      } catch (err) {
        log(`could not save the window state: ${(err as Error).message}`);
      }
    };
    let saveTimer: NodeJS.Timeout | null = null;
    const saveSoon = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 500);
    };
    win.on('resize', saveSoon);
    win.on('move', saveSoon);
    win.on('close', () => {
      if (saveTimer) clearTimeout(saveTimer);
      save();
    });
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    win.webContents.on('render-process-gone', (_event, details) => {
      log(`the window's renderer ended: ${details.reason} (exit code ${details.exitCode})`);
      // Everything the user did lives in the service, so a fresh page loses nothing.
      if (details.reason !== 'clean-exit' && !win.isDestroyed()) void win.loadURL(`${APP_ORIGIN}/`);
    });
    void win.loadURL(`${APP_ORIGIN}/`).catch((err: unknown) => log(`could not load the window: ${(err as Error).message}`));
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!liveWindow()) createWindow();
  });

  // Jobs are recorded as interrupted and the ML worker stopped before the process ends.
  let closed = false;
  let closing = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    const force = setTimeout(() => {
      log('the service did not close within 15 s; quitting anyway');
      app.exit(0);
    }, 15_000);
    service
      .close()
      .catch((err: unknown) => log(`closing the service failed: ${(err as Error)?.stack ?? String(err)}`))
      .finally(() => {
        clearTimeout(force);
        closed = true;
        logFile.close();
        app.quit();
      });
  });

  createWindow();
}

/** Every web contents (the window, devtools, anything a bug might create) gets the same rules. */
function hardenWebContents(contents: Electron.WebContents, log: (line: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url);
    if (external) void shell.openExternal(external);
    else log(`blocked a new window for ${url.slice(0, 200)}`);
    return { action: 'deny' };
  });
  const blockNavigation = (event: Electron.Event<{ url: string }>) => {
    if (isNavigationAllowed(event.url)) return;
    event.preventDefault();
    log(`blocked navigation to ${event.url.slice(0, 200)}`);
  };
  contents.on('will-navigate', blockNavigation);
  contents.on('will-redirect', blockNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** No permission is ever granted to the page, and it can reach nothing but our own schemes. */
function lockDownSession(ses: Electron.Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRendererRequest(details.url) }));
}
