/**
 * What only the desktop shell can do for the service: the native folder picker, showing a file in the system file
 * manager, opening a photo in the default app. The paths here come from the service (a library root, an export
 * destination, a photo's own file), never from the page.
 */
import fs from 'node:fs';
import type { OpenDialogOptions } from 'electron';
import type { ShellIntegration } from '../core/service/types.js';

export interface DialogLike {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
}

export interface ShellLike {
  showItemInFolder(fullPath: string): void;
  /** Resolves to '' on success, else an error message (Electron's convention). */
  openPath(path: string): Promise<string>;
}

export interface ShellDeps {
  dialog: DialogLike;
  shell: ShellLike;
  /** Opens the dialog over the main window (modal to it) when there is one. */
  showOpenDialog?: (options: OpenDialogOptions) => Promise<{ canceled: boolean; filePaths: string[] }>;
  log?: (line: string) => void;
}

export function createShellIntegration(deps: ShellDeps): Required<ShellIntegration> {
  const log = deps.log ?? (() => {});
  const open = deps.showOpenDialog ?? ((o: OpenDialogOptions) => deps.dialog.showOpenDialog(o));
  return {
    async showFolderDialog(title) {
      const result = await open({ title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async revealPath(p) {
      if (!fs.existsSync(p)) return false;
      deps.shell.showItemInFolder(p);
      return true;
    },
    async openPath(p) {
      const error = await deps.shell.openPath(p);
      if (error) log(`could not open ${p}: ${error}`);
      return error === '';
    },
  };
}
