import { describe, expect, it } from 'vitest';
import { externalUrlToOpen, isAllowedRendererRequest, isNavigationAllowed, mainWindowOptions, MIN_HEIGHT, MIN_WIDTH } from './windowOptions.js';

const input = { preloadPath: '/app/electron/preload.cjs', bounds: { x: 10, y: 20, width: 1000, height: 700 }, darkBackground: false, devTools: false };

describe('mainWindowOptions', () => {
  it('isolates and sandboxes the page: no Node, web security on, no webviews', () => {
    const prefs = mainWindowOptions(input).webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });

  it('keeps the saved bounds, enforces a minimum size and starts hidden in the theme colour', () => {
    const light = mainWindowOptions(input);
    expect(light).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, minWidth: MIN_WIDTH, minHeight: MIN_HEIGHT, show: false });
    expect(mainWindowOptions({ ...input, darkBackground: true }).backgroundColor).not.toBe(light.backgroundColor);
    expect(light).not.toHaveProperty('icon');
    expect(mainWindowOptions({ ...input, iconPath: '/i.png', devTools: true })).toMatchObject({ icon: '/i.png', webPreferences: { devTools: true } });
  });
});

describe('navigation and requests', () => {
  it('lets the window stay on our page only', () => {
    expect(isNavigationAllowed('app://photocluster/')).toBe(true);
    expect(isNavigationAllowed('app://photocluster/library/2?x=1')).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://other/', 'thumb://thumb/1', 'javascript:alert(1)', 'data:text/html,hi', 'about:blank', '']) {
      expect(isNavigationAllowed(url), url).toBe(false);
    }
  });

  it('hands only https links to the system browser', () => {
    expect(externalUrlToOpen('https://github.com/Cory-M/DCCM')).toBe('https://github.com/Cory-M/DCCM');
    for (const url of ['http://example.com/', 'file:///bin/sh', 'smb://server/share', 'javascript:alert(1)', 'https://user:pw@example.com/', 'nonsense']) {
      expect(externalUrlToOpen(url), url).toBeNull();
    }
  });

  it('lets the page load only from our schemes', () => {
    for (const url of ['app://photocluster/assets/a.js', 'thumb://thumb/3', 'data:image/png;base64,AA', 'blob:app://photocluster/123', 'devtools://devtools/bundled/x.js']) {
      expect(isAllowedRendererRequest(url), url).toBe(true);
    }
    for (const url of ['https://tracker.example/pixel.gif', 'http://127.0.0.1:8080/', 'ws://127.0.0.1:1/ws', 'file:///etc/passwd', 'ftp://x/']) {
      expect(isAllowedRendererRequest(url), url).toBe(false);
    }
  });
});
