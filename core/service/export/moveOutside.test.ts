/**
 * Move deletes originals, so it must never delete one that lies outside the library folder the user chose — which
 * a photo reached through a folder link (or a file link) that leads elsewhere does. Such photos are copied instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportInput, sha256Of, useTempDirs, writePhoto } from '../../../test/exportFixtures.js';
import { planExport, readManifest, runExport } from './index.js';

const dir = useTempDirs();
const OUTSIDE = 'outside the library folder; copied, not moved';

describe('move export and the library folder', () => {
  it('copies photos reached through links that lead outside the library, and moves the rest', async () => {
    const base = fs.realpathSync(dir('move'));
    const lib = path.join(base, 'lib');
    const out = path.join(base, 'out');
    const inside = writePhoto(path.join(lib, 'in.jpg'), 5000, 1);
    const viaFolderLink = writePhoto(path.join(out, 'x.jpg'), 6000, 2);
    const viaFileLink = writePhoto(path.join(out, 'y.jpg'), 7000, 3);
    fs.symlinkSync(out, path.join(lib, 'linkdir'));
    fs.symlinkSync(viaFileLink.sourcePath, path.join(lib, 'y-link.jpg'));
    // As the library knows them: by their paths under its folder.
    const x = { ...viaFolderLink, sourcePath: path.join(lib, 'linkdir', 'x.jpg') };
    const y = { ...viaFileLink, sourcePath: path.join(lib, 'y-link.jpg') };
    const destination = dir('dst');

    const plan = await planExport({ ...exportInput(destination, 'move', { Trip: [inside, x, y] }), libraryRoot: lib });

    expect(plan.problems).toEqual([
      { code: 'outside-library', severity: 'warning', path: x.sourcePath, reason: OUTSIDE },
      { code: 'outside-library', severity: 'warning', path: y.sourcePath, reason: OUTSIDE },
    ]);
    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 3, skipped: 0, failed: 0 });
    expect(result.notes).toEqual([
      { path: x.sourcePath, reason: OUTSIDE },
      { path: y.sourcePath, reason: OUTSIDE },
    ]);
    expect(fs.existsSync(inside.sourcePath)).toBe(false);
    expect(sha256Of(path.join(destination, 'Trip', 'in.jpg'))).toBe(inside.sha256);
    for (const p of [viaFolderLink, viaFileLink]) expect(sha256Of(p.sourcePath)).toBe(p.sha256); // still where they were
    expect(sha256Of(path.join(destination, 'Trip', 'x.jpg'))).toBe(x.sha256);
    expect(sha256Of(path.join(destination, 'Trip', 'y-link.jpg'))).toBe(y.sha256);
    const entries = (await readManifest(result.manifest)).entries;
    expect(entries.map((e) => [e.photoId, e.mode, e.reason])).toEqual([
      [1, 'move', undefined],
      [2, 'copy', OUTSIDE],
      [3, 'copy', OUTSIDE],
    ]);
  });

  it('keeps an original that a folder link swapped since planning put outside the library', async () => {
    const base = fs.realpathSync(dir('move-swap'));
    const lib = path.join(base, 'lib');
    const out = path.join(base, 'out');
    const planned = writePhoto(path.join(lib, 'real', 'x.jpg'), 5000, 1);
    const outsider = writePhoto(path.join(out, 'x.jpg'), 5000, 1, new Date(planned.mtimeMs));
    fs.symlinkSync(path.join(lib, 'real'), path.join(lib, 'linkdir'));
    const x = { ...planned, sourcePath: path.join(lib, 'linkdir', 'x.jpg') };
    const plan = await planExport({ ...exportInput(dir('dst'), 'move', { G: [x] }), libraryRoot: lib });
    expect(plan.problems).toEqual([]);
    // Between planning and running, the link is pointed outside the library.
    fs.rmSync(path.join(lib, 'linkdir'));
    fs.symlinkSync(out, path.join(lib, 'linkdir'));

    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 0, failed: 1 });
    expect(result.errors[0]!.reason).toMatch(/outside the library folder.*the original was kept/);
    expect(sha256Of(outsider.sourcePath)).toBe(outsider.sha256);
    expect(sha256Of(planned.sourcePath)).toBe(planned.sha256);
  });
});
