/**
 * The main window's construction options and the rules for what its page may do, as data and pure functions so the
 * security settings are asserted by plain-Node tests rather than trusted to stay put.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { isAppPageUrl } from './ipc.js';
import type { WindowBounds } from './windowState.js';

export interface MainWindowInput {
  preloadPath: string;
  bounds: WindowBounds;
  /** The window icon (Linux and Windows; macOS takes the bundle's). */
  iconPath?: string;
  darkBackground: boolean;
  /** Developer tools only in development builds. */
  devTools: boolean;
}

export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;

export function mainWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'PhotoCluster',
    // Shown on ready-to-show, painted in the theme's colour: no white flash on a dark desktop.
    show: false,
    backgroundColor: input.darkBackground ? '#15171a' : '#f6f7f9',
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // A photo dropped on the window must not replace the app with a file:// page.
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: input.devTools,
    },
  };
}

/**
 * Whether the window may go to `url`. Only our own page: reloads and in-app routes stay on app://photocluster;
 * anything else (a link, a dropped file, a script setting location) is refused.
 */
export function isNavigationAllowed(url: string): boolean {
  return isAppPageUrl(url);
}

/** A link the user clicked that we hand to the system browser instead of opening a window: https only. */
export function externalUrlToOpen(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The URL schemes the renderer may load anything from; everything else (http, ws, file, ...) is cancelled. */
export function isAllowedRendererRequest(url: string): boolean {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  return scheme === 'app:' || scheme === 'thumb:' || scheme === 'data:' || scheme === 'blob:' || scheme === 'devtools:';
}
