import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportInput, makeLibrary, otherFilesystem, writePhoto, useTempDirs } from '../../../test/exportFixtures.js';
import { ExportBlockedError, planExport, runExport, type ExportPlan } from './index.js';

const dir = useTempDirs();

function withoutFreeSpace(plan: ExportPlan) {
  const { freeBytes: _free, ...totals } = plan.totals;
  return { ...plan, totals };
}

describe('planExport (dry run)', () => {
  it('previews folders, targets, counts and bytes without writing anything', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 6); // folder0/IMG_0000.jpg and folder1/IMG_0000.jpg, …
    const destination = path.join(dir('dst'), 'Export');
    const input = exportInput(destination, 'copy', { Cats: photos.slice(0, 4), cats: photos.slice(4) });

    const plan = await planExport(input);

    expect(fs.existsSync(destination)).toBe(false);
    expect(plan.groups.map((g) => g.folder)).toEqual(['Cats', 'cats (2)']);
    expect(plan.files.map((f) => path.relative(destination, f.targetPath!))).toEqual([
      path.join('Cats', 'IMG_0000.jpg'),
      path.join('Cats', 'IMG_0000 (2).jpg'),
      path.join('Cats', 'IMG_0001.jpg'),
      path.join('Cats', 'IMG_0001 (2).jpg'),
      path.join('cats (2)', 'IMG_0002.jpg'),
      path.join('cats (2)', 'IMG_0002 (2).jpg'),
    ]);
    const bytes = photos.reduce((s, p) => s + p.size, 0);
    const block = fs.statfsSync(path.dirname(destination)).bsize;
    expect(plan.totals).toMatchObject({ groups: 2, files: 6, exportable: 6, bytes, fits: true });
    expect(plan.totals.bytesNeeded).toBe(photos.reduce((s, p) => s + Math.ceil(p.size / block) * block, 0));
    expect(plan.totals.freeBytes).toBeGreaterThan(plan.totals.bytesNeeded);
    expect(plan.groups.map((g) => [g.files, g.bytes])).toEqual([
      [4, photos.slice(0, 4).reduce((s, p) => s + p.size, 0)],
      [2, photos.slice(4).reduce((s, p) => s + p.size, 0)],
    ]);
    expect(plan.problems).toEqual([]);

    // Deterministic: same input, same destination state, same plan.
    expect(withoutFreeSpace(await planExport(input))).toEqual(withoutFreeSpace(plan));

    // Links take no space.
    for (const mode of ['hardlink', 'symlink'] as const) {
      const linkPlan = await planExport({ ...input, mode });
      expect(linkPlan.totals.bytesNeeded).toBe(0);
      expect(linkPlan.totals.bytes).toBe(bytes);
    }
  });

  it('plans around what already exists at the destination', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 2, { folders: 1 });
    const destination = dir('dst');
    fs.mkdirSync(path.join(destination, 'Cats'));
    fs.writeFileSync(path.join(destination, 'Cats', 'img_0000.JPG'), 'the user’s own file');
    fs.writeFileSync(path.join(destination, 'Dogs'), 'a file where a folder would go');

    const plan = await planExport(exportInput(destination, 'copy', { Cats: [photos[0]!], Dogs: [photos[1]!] }));

    // An existing folder is reused (files never clobber); a file in the way gets a numbered folder.
    expect(plan.groups.map((g) => g.folder)).toEqual(['Cats', 'Dogs (2)']);
    expect(plan.files.map((f) => path.relative(destination, f.targetPath!))).toEqual([
      path.join('Cats', 'IMG_0000 (2).jpg'),
      path.join('Dogs (2)', 'IMG_0001.jpg'),
    ]);
  });

  it('reports per-file problems and skips only those files', async () => {
    const lib = dir('lib');
    const [ok, missing, changed, dup] = makeLibrary(lib, 4, { folders: 1 });
    fs.rmSync(missing!.sourcePath);
    fs.appendFileSync(changed!.sourcePath, 'edited');
    const folderAsSource = { photoId: 99, sourcePath: path.join(lib, 'folder0'), size: 1, mtimeMs: 1 };
    const destination = dir('dst');

    const plan = await planExport(exportInput(destination, 'copy', { G: [ok!, missing!, changed!, dup!, dup!, folderAsSource] }));

    expect(plan.problems.map((p) => [p.code, p.severity, p.path])).toEqual([
      ['source-missing', 'skip', missing!.sourcePath],
      ['duplicate-entry', 'skip', dup!.sourcePath],
      ['source-not-file', 'skip', folderAsSource.sourcePath],
      ['source-changed', 'warning', changed!.sourcePath],
    ]);
    expect(plan.totals.exportable).toBe(3);
    expect(plan.totals.bytes).toBe(ok!.size + fs.statSync(changed!.sourcePath).size + dup!.size);
    // The scan's hash no longer describes the changed file.
    expect(plan.files[2]!.sha256).toBeUndefined();
    expect(plan.files[1]!.targetPath).toBeNull();

    // Moving a file that changed since the scan cannot be verified against the library's hash: skipped.
    const move = await planExport(exportInput(destination, 'move', { G: [changed!] }));
    expect(move.problems.map((p) => [p.code, p.severity])).toEqual([['source-changed', 'skip']]);
  });

  it.skipIf(!otherFilesystem())('reports hard links across filesystems (EXDEV) per file', async () => {
    const lib = dir('lib', otherFilesystem()!);
    const photos = makeLibrary(lib, 2);
    const plan = await planExport(exportInput(dir('dst'), 'hardlink', { G: photos }));
    expect(plan.problems).toHaveLength(2);
    for (const [i, p] of plan.problems.entries()) {
      expect(p).toMatchObject({ code: 'cross-device', severity: 'skip', path: photos[i]!.sourcePath });
      expect(p.reason).toMatch(/EXDEV/u);
    }
    expect(plan.totals.exportable).toBe(0);
    // Move across filesystems copies, so it needs the space; within one it links and needs none.
    const move = await planExport(exportInput(dir('dst'), 'move', { G: photos }));
    expect(move.problems).toEqual([]);
    expect(move.totals.bytesNeeded).toBeGreaterThanOrEqual(photos[0]!.size + photos[1]!.size);
    const sameFs = await planExport(exportInput(dir('dst2', otherFilesystem()!), 'move', { G: photos }));
    expect(sameFs.totals.bytesNeeded).toBe(0);
  });

  it('warns when the destination is inside a photo folder', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 2, { folders: 1 });
    const plan = await planExport(exportInput(path.join(lib, 'folder0', 'export'), 'copy', { G: photos }));
    expect(plan.problems).toEqual([expect.objectContaining({ code: 'destination-inside-source', severity: 'warning', path: path.join(lib, 'folder0') })]);
    expect(plan.totals.exportable).toBe(2);

    // And the other way round: photos already inside the destination.
    const around = await planExport(exportInput(lib, 'copy', { G: photos }));
    expect(around.problems).toEqual([expect.objectContaining({ code: 'source-inside-destination', severity: 'warning', path: path.join(lib, 'folder0') })]);
  });

  it('blocks an export that cannot start, and runExport refuses it without writing', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 1);
    const file = path.join(dir('dst'), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const plan = await planExport(exportInput(file, 'copy', { G: photos }));
    expect(plan.problems.map((p) => [p.code, p.severity])).toEqual([['destination-not-directory', 'blocking']]);
    await expect(runExport(plan)).rejects.toBeInstanceOf(ExportBlockedError);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('checks free space: a copy larger than the disk is blocked, links of it are not', async () => {
    const lib = dir('lib');
    const huge = path.join(lib, 'huge.jpg');
    writePhoto(huge, 1000, 1);
    fs.truncateSync(huge, 2 ** 40); // a sparse 1 TiB "photo"
    const st = fs.statSync(huge);
    const source = { photoId: 1, sourcePath: huge, size: st.size, mtimeMs: st.mtimeMs };
    const destination = dir('dst');

    const copy = await planExport(exportInput(destination, 'copy', { G: [source] }));
    expect(copy.totals.fits).toBe(false);
    expect(copy.totals.bytesNeeded).toBeGreaterThan(copy.totals.freeBytes);
    expect(copy.problems).toEqual([expect.objectContaining({ code: 'insufficient-space', severity: 'blocking' })]);
    await expect(runExport(copy)).rejects.toBeInstanceOf(ExportBlockedError);

    const link = await planExport(exportInput(destination, 'hardlink', { G: [source] }));
    expect(link.totals).toMatchObject({ bytesNeeded: 0, fits: true });
  });

  it('rejects malformed input', async () => {
    await expect(planExport({ destination: 'relative/dir', mode: 'copy', groups: [] })).rejects.toThrow(/absolute/u);
    await expect(
      planExport({ destination: '/tmp/x', mode: 'teleport' as 'copy', groups: [] }),
    ).rejects.toThrow();
    const file = (sourceFsPath: Buffer) => ({ photoId: 1, sourcePath: '/p/caf\uFFFD.jpg', sourceFsPath, size: 1, mtimeMs: 1 });
    const withRawPath = (raw: Buffer) => planExport({ destination: '/tmp/x', mode: 'copy', groups: [{ name: 'G', files: [file(raw)] }] });
    await expect(withRawPath(Buffer.from('p/caf\xe9.jpg', 'latin1'))).rejects.toThrow(/absolute/u);
    await expect(withRawPath(Buffer.from('/p/caf\xe9\0.jpg', 'latin1'))).rejects.toThrow(/NUL/u);
  });
});
