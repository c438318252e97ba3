import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { noLinkFilesystem, useTempDirs } from '../../../test/exportFixtures.js';
import { parentDir, publishExclusive, supportsHardLinks, symlinkPointsTo } from './fileOps.js';

const tempDir = useTempDirs();

describe.each([
  ['hard link', false],
  ['placeholder + rename (no hard links)', true],
])('publishExclusive by %s', (_name, noLinks) => {
  it('gives the temp file its final name, or fails with EEXIST and replaces nothing', async () => {
    const d = tempDir('publish');
    const temp = path.join(d, '.temp');
    const target = path.join(d, 'IMG_0001.jpg');
    fs.writeFileSync(temp, 'exported bytes');
    fs.writeFileSync(target, 'the user’s photo');

    await expect(publishExclusive(temp, target, { noLinks })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(target, 'utf8')).toBe('the user’s photo');
    expect(fs.readFileSync(temp, 'utf8')).toBe('exported bytes');

    const free = path.join(d, 'IMG_0001 (2).jpg');
    expect(await publishExclusive(temp, free, { noLinks })).toBe(noLinks ? 'reserve' : 'link');
    expect(fs.readFileSync(free, 'utf8')).toBe('exported bytes');
    expect(fs.existsSync(temp)).toBe(false);
  });
});

describe('supportsHardLinks', () => {
  it('is true on the temp filesystem and leaves nothing behind', async () => {
    const d = tempDir('probe');
    expect(await supportsHardLinks(d)).toBe(true);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it.skipIf(!noLinkFilesystem())('is false on FAT/exFAT (PHOTOCLUSTER_TEST_NOLINK_DIR)', async () => {
    const d = tempDir('probe', noLinkFilesystem()!);
    expect(await supportsHardLinks(d)).toBe(false);
    await expect(publishExclusive(path.join(d, 'missing'), path.join(d, 'x'), { noLinks: false })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

describe('raw byte paths (names that are not valid UTF-8)', () => {
  // Latin-1 spells each character as one byte: "\xe9" alone is not valid UTF-8 (the paths here are ASCII otherwise).
  const latin1 = (s: string) => Buffer.from(s, 'latin1');

  it('parentDir keeps the bytes of the folder', () => {
    expect(parentDir(latin1('/ph\xe9/caf\xe9.jpg'))).toEqual(latin1('/ph\xe9'));
    expect(parentDir(latin1('/x.jpg'))).toEqual(latin1('/'));
    expect(parentDir('/photos/a.jpg')).toBe('/photos');
  });

  it('symlinkPointsTo compares bytes: another raw name with the same text form is not the target', async () => {
    const d = tempDir('links');
    const cafe = latin1(`${d}/caf\xe9.jpg`);
    const other = latin1(`${d}/caf\xe8.jpg`);
    expect(other.toString('utf8')).toBe(cafe.toString('utf8')); // both read as "caf\uFFFD.jpg"
    const link = path.join(d, 'link.jpg');
    fs.symlinkSync(cafe, link);
    expect(await symlinkPointsTo(link, cafe)).toBe(true);
    expect(await symlinkPointsTo(link, other)).toBe(false);
    expect(await symlinkPointsTo(link, cafe.toString('utf8'))).toBe(false);
    expect(await symlinkPointsTo(path.join(d, 'missing'), cafe)).toBe(false);
  });
});
