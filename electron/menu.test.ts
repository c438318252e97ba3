import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, type MenuActions } from './menu.js';

function allItems(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? allItems(item.submenu) : [])]);
}

function recordingActions() {
  const called: string[] = [];
  const actions: MenuActions = {
    openDataFolder: () => called.push('openDataFolder'),
    openLogFile: () => called.push('openLogFile'),
    openHelp: () => called.push('openHelp'),
  };
  return { actions, called };
}

describe('buildMenuTemplate', () => {
  it('puts the app menu first on macOS only', () => {
    const { actions } = recordingActions();
    const mac = buildMenuTemplate({ platform: 'darwin', appName: 'PhotoCluster', isDevelopment: false }, actions);
    const linux = buildMenuTemplate({ platform: 'linux', appName: 'PhotoCluster', isDevelopment: false }, actions);
    expect(mac.map((m) => m.label ?? m.role)).toEqual(['PhotoCluster', 'File', 'Edit', 'View', 'Window', 'help']);
    expect(linux.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'View', 'Window', 'help']);
    expect(allItems(linux).some((i) => i.role === 'quit')).toBe(true);
    expect(allItems(mac).filter((i) => i.role === 'quit')).toHaveLength(1);
  });

  it('leaves Ctrl+Z / Ctrl+Shift+Z to the page (group undo), never binding undo or redo roles', () => {
    for (const platform of ['darwin', 'linux', 'win32'] as const) {
      const roles = allItems(buildMenuTemplate({ platform, appName: 'PhotoCluster', isDevelopment: true }, recordingActions().actions)).map((i) => i.role);
      expect(roles).not.toContain('undo');
      expect(roles).not.toContain('redo');
      expect(roles).toEqual(expect.arrayContaining(['copy', 'paste', 'selectAll']));
    }
  });

  it('offers reload and developer tools in development builds only', () => {
    const roles = (isDevelopment: boolean) => allItems(buildMenuTemplate({ platform: 'linux', appName: 'PhotoCluster', isDevelopment }, recordingActions().actions)).map((i) => i.role);
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
  });

  it('wires our own items to the actions it was given', () => {
    const { actions, called } = recordingActions();
    const items = allItems(buildMenuTemplate({ platform: 'win32', appName: 'PhotoCluster', isDevelopment: false }, actions));
    for (const id of ['open-data-folder', 'open-log-file', 'help-method']) {
      const item = items.find((i) => i.id === id)!;
      expect(item.label).toBeTruthy();
      (item.click as () => void)();
    }
    expect(called).toEqual(['openDataFolder', 'openLogFile', 'openHelp']);
    // Every item is a role, a separator, a submenu or has a label and an action.
    for (const item of items) expect(Boolean(item.role || item.type === 'separator' || item.submenu || (item.label && item.click))).toBe(true);
  });
});
