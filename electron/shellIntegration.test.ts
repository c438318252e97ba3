import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createShellIntegration } from './shellIntegration.js';

function fakes(dialogAnswer: { canceled: boolean; filePaths: string[] }, openError = '') {
  const shown: string[] = [];
  const opened: string[] = [];
  const dialogOptions: unknown[] = [];
  const log: string[] = [];
  const shell = createShellIntegration({
    dialog: { showOpenDialog: async (o) => (dialogOptions.push(o), dialogAnswer) },
    shell: { showItemInFolder: (p) => void shown.push(p), openPath: async (p) => (opened.push(p), openError) },
    log: (l) => log.push(l),
  });
  return { shell, shown, opened, dialogOptions, log };
}

describe('createShellIntegration', () => {
  it('returns the picked folder, or null when the user cancels', async () => {
    const picked = fakes({ canceled: false, filePaths: ['/home/me/Photos'] });
    expect(await picked.shell.showFolderDialog('Add a library')).toBe('/home/me/Photos');
    expect(picked.dialogOptions[0]).toMatchObject({ title: 'Add a library', properties: expect.arrayContaining(['openDirectory']) });
    expect(await fakes({ canceled: true, filePaths: [] }).shell.showFolderDialog()).toBeNull();
  });

  it('reveals existing paths only', async () => {
    const f = fakes({ canceled: true, filePaths: [] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-shell-'));
    expect(await f.shell.revealPath(dir)).toBe(true);
    expect(await f.shell.revealPath(path.join(dir, 'gone.jpg'))).toBe(false);
    expect(f.shown).toEqual([dir]);
    fs.rmSync(dir, { recursive: true });
  });

  it('reports whether the default app opened the photo', async () => {
    const ok = fakes({ canceled: true, filePaths: [] });
    expect(await ok.shell.openPath('/p/a.jpg')).toBe(true);
    const failing = fakes({ canceled: true, filePaths: [] }, 'No application is registered for .heic');
    expect(await failing.shell.openPath('/p/b.heic')).toBe(false);
    expect(failing.log[0]).toContain('No application is registered');
  });
});
