import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browseFolders } from './folders.js';

describe('browseFolders', () => {
  let tmp: string;
  let root: string;
  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-folders-')));
    root = path.join(tmp, 'home');
    for (const d of ['Pictures/2023', 'Pictures/2024', 'Pictures/10 trip', 'Pictures/2 day', '.hidden', 'Docs']) fs.mkdirSync(path.join(root, d), { recursive: true });
    fs.writeFileSync(path.join(root, 'Pictures', 'a.jpg'), 'x');
    fs.mkdirSync(path.join(tmp, 'elsewhere'));
    fs.symlinkSync(path.join(tmp, 'elsewhere'), path.join(root, 'escape'));
    fs.symlinkSync(path.join(root, 'Docs'), path.join(root, 'docs-link'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists visible sub-folders in natural order, with parents up to the root', async () => {
    const top = await browseFolders(root, undefined);
    expect(top.path).toBe(root);
    expect(top.parent).toBeNull();
    expect(top.entries.map((e) => e.name)).toEqual(['Docs', 'docs-link', 'Pictures']);
    const pics = await browseFolders(root, path.join(root, 'Pictures'));
    expect(pics.entries.map((e) => e.name)).toEqual(['2 day', '10 trip', '2023', '2024']);
    expect(pics.parent).toBe(root);
    expect((await browseFolders(root, 'Pictures')).path).toBe(path.join(root, 'Pictures'));
  });

  it('refuses to leave the root by any route', async () => {
    for (const p of ['..', '../elsewhere', path.join(tmp, 'elsewhere'), path.join(root, 'escape'), '/etc', 'Pictures/../../elsewhere', 'a\0b']) {
      await expect(browseFolders(root, p), p).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('explains files and missing folders', async () => {
    await expect(browseFolders(root, path.join(root, 'Pictures', 'a.jpg'))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(browseFolders(path.join(tmp, 'nope'), undefined)).rejects.toMatchObject({ code: 'not_found' });
  });
});
