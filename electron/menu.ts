/**
 * The application menu as data. Standard items use Electron roles (they follow each platform's conventions and
 * localisation); our own items call actions that main.ts supplies.
 *
 * Undo and redo are deliberately not menu roles: a menu accelerator for Ctrl+Z would take the key before the page
 * sees it, and in PhotoCluster Ctrl+Z / Ctrl+Shift+Z undo edits to groups, handled by the renderer (text fields keep
 * their native undo).
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openDataFolder(): void;
  openLogFile(): void;
  openHelp(): void;
}

export interface MenuInput {
  platform: NodeJS.Platform;
  appName: string;
  /** Development builds get reload and developer tools. */
  isDevelopment: boolean;
}

export const HELP_URL = 'https://github.com/Cory-M/DCCM';

export function buildMenuTemplate(input: MenuInput, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = input.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: input.appName,
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push({
    label: 'File',
    submenu: [
      { id: 'open-data-folder', label: 'Show Data Folder', click: () => actions.openDataFolder() },
      { id: 'open-log-file', label: 'Show Log File', click: () => actions.openLogFile() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({
    label: 'Edit',
    submenu: [{ role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { type: 'separator' }, { role: 'selectAll' }],
  });
  const devItems: MenuItemConstructorOptions[] = input.isDevelopment ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] : [];
  template.push({
    label: 'View',
    submenu: [...devItems, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  });
  template.push({
    label: 'Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  });
  template.push({
    role: 'help',
    submenu: [{ id: 'help-method', label: 'About the DCCM Method', click: () => actions.openHelp() }, ...(mac ? [] : [{ role: 'about' } as MenuItemConstructorOptions])],
  });
  return template;
}
