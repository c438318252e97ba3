import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWithin, resolveInside } from './safePath.js';

describe('resolveInside', () => {
  let tmp: string;
  let root: string;
  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-safe-')));
    root = path.join(tmp, 'root');
    fs.mkdirSync(path.join(root, 'sub', '..dots'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sub', 'a.txt'), 'a');
    fs.writeFileSync(path.join(tmp, 'outside.txt'), 'x');
    fs.symlinkSync(path.join(tmp, 'outside.txt'), path.join(root, 'link-out'));
    fs.symlinkSync(path.join(root, 'sub', 'a.txt'), path.join(root, 'link-in'));
    fs.symlinkSync(tmp, path.join(root, 'dir-out'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('resolves ordinary paths inside the root', async () => {
    expect(await resolveInside(root, 'sub/a.txt')).toBe(path.join(root, 'sub', 'a.txt'));
    expect(await resolveInside(root, '/sub/a.txt')).toBe(path.join(root, 'sub', 'a.txt'));
    expect(await resolveInside(root, 'sub/..dots')).toBe(path.join(root, 'sub', '..dots'));
    expect(await resolveInside(root, 'link-in')).toBe(path.join(root, 'sub', 'a.txt'));
    expect(await resolveInside(root, '')).toBe(root);
  });

  it('refuses everything that leaves the root', async () => {
    for (const p of ['../outside.txt', 'sub/../../outside.txt', 'link-out', 'dir-out/outside.txt', 'dir-out', 'sub/a.txt\0', 'missing']) {
      expect(await resolveInside(root, p), p).toBeNull();
    }
    for (const p of ['%2e%2e/outside.txt', '%2E%2E%2Foutside.txt', 'sub%2f..%2f..%2foutside.txt', '%00', '%E0%A4%A']) {
      expect(await resolveInside(root, p, { decode: true }), p).toBeNull();
    }
    expect(await resolveInside(root, path.join(tmp, 'outside.txt'), { allowAbsolute: true })).toBeNull();
    expect(await resolveInside(root, path.join(root, 'sub'), { allowAbsolute: true })).toBe(path.join(root, 'sub'));
  });

  it('isWithin treats "..name" children as inside', () => {
    expect(isWithin('/a', '/a/..b')).toBe(true);
    expect(isWithin('/a', '/a/../b')).toBe(false);
    expect(isWithin('/a', '/ab')).toBe(false);
  });
});
