import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportInput,
  LATIN1_NAME,
  makeLibrary,
  noLinkFilesystem,
  otherFilesystem,
  sha256Of,
  tempFiles,
  visibleExportedFiles,
  writePhoto,
  writeRawNamedPhoto,
  useTempDirs,
} from '../../../test/exportFixtures.js';
import {
  ExportBusyError,
  listExports,
  planExport,
  readManifest,
  resumeExport,
  runExport,
  type ExportMode,
  type ExportPlan,
  type ExportProgress,
  type ExportSourceFile,
} from './index.js';
import { acquireLock, statePaths, type JournalRecord } from './journal.js';
import { processStart } from '../../processIdentity.js';

const dir = useTempDirs();

function sha256OfBytes(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function parseCsvWithPython(file: string): string[][] {
  const script = 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as string[][];
}

/** Each source's hash shows up exactly once among the exported files (no duplicate, nothing missing). */
function expectExportedOnce(destination: string, photos: ExportSourceFile[]): void {
  const hashes = visibleExportedFiles(destination).map((r) => sha256Of(path.join(destination, r)));
  expect(hashes.sort()).toEqual(photos.map((p) => p.sha256!).sort());
}

describe('runExport', () => {
  it('copies every photo into its group folder, keeping mtime, with a manifest and progress', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 8);
    const destination = path.join(dir('dst'), 'out');
    const input = exportInput(destination, 'copy', { 'Cats, "best" of\n2023': photos.slice(0, 5), Dogs: photos.slice(5) });
    const plan = await planExport(input);
    const events: ExportProgress[] = [];

    const result = await runExport(plan, { onProgress: (p) => events.push(p), progressIntervalMs: 0 });

    const bytes = photos.reduce((s, p) => s + p.size, 0);
    expect(result).toMatchObject({ exported: 8, skipped: 0, failed: 0, bytes, errors: [] });
    for (const f of plan.files) {
      const photo = photos[f.index]!;
      expect(sha256Of(f.targetPath!)).toBe(photo.sha256);
      expect(fs.statSync(f.targetPath!).mtimeMs).toBe(photo.mtimeMs);
      expect(fs.lstatSync(f.targetPath!).isFile()).toBe(true);
      expect(sha256Of(photo.sourcePath)).toBe(photo.sha256); // original untouched
    }
    expect(visibleExportedFiles(destination)).toHaveLength(8);
    expect(tempFiles(destination)).toEqual([]);

    const manifest = await readManifest(result.manifest);
    expect(manifest.entries).toHaveLength(8);
    expect(manifest.entries[0]).toEqual({
      photoId: photos[0]!.photoId,
      group: 'Cats, "best" of\n2023',
      status: 'exported',
      originalPath: photos[0]!.sourcePath,
      exportedPath: plan.files[0]!.targetPath,
      sha256: photos[0]!.sha256,
      size: photos[0]!.size,
      mode: 'copy',
    });
    const csv = fs.readFileSync(result.manifestCsv, 'utf8');
    expect(csv.startsWith('photo_id,group,status,original_path,exported_path,sha256,size,mode,reason\r\n')).toBe(true);
    expect(csv).toContain(
      `${photos[0]!.photoId},"Cats, ""best"" of\n2023",exported,${photos[0]!.sourcePath},"${plan.files[0]!.targetPath}",${photos[0]!.sha256},${photos[0]!.size},copy,\r\n`,
    );
    // An independent CSV reader sees one row per photo, the awkward group name intact.
    const rows = parseCsvWithPython(result.manifestCsv);
    expect(rows).toHaveLength(9);
    expect(rows.slice(1).map((r) => [r[1], r[4], r[5]])).toEqual(
      plan.files.map((f) => [plan.groups[f.group]!.name, f.targetPath, photos[f.index]!.sha256]),
    );

    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', filesDone: 8, filesTotal: 8, exported: 8, bytesDone: bytes, bytesTotal: bytes });
    const done = events.map((e) => e.filesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));

    // Running a finished export again changes nothing and returns the same result.
    expect(await runExport(plan)).toEqual(result);
    expect(visibleExportedFiles(destination)).toHaveLength(8);
  });

  it('hard-links (same inode) and symlinks (absolute link to the original)', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 3);
    for (const mode of ['hardlink', 'symlink'] as const) {
      const destination = dir(mode);
      const plan = await planExport(exportInput(destination, mode, { G: photos }));
      const result = await runExport(plan);
      expect(result).toMatchObject({ exported: 3, failed: 0, skipped: 0 });
      for (const f of plan.files) {
        const original = fs.statSync(f.sourcePath);
        if (mode === 'hardlink') expect(fs.lstatSync(f.targetPath!).ino).toBe(original.ino);
        else expect(fs.readlinkSync(f.targetPath!)).toBe(f.sourcePath);
        expect(sha256Of(f.targetPath!)).toBe(photos[f.index]!.sha256);
      }
      const manifest = await readManifest(result.manifest);
      expect(manifest.entries.map((e) => e.sha256)).toEqual(photos.map((p) => p.sha256));
    }
  });

  it('moves within one filesystem as a link of the same inode, removing the originals', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 4);
    const inodes = photos.map((p) => fs.statSync(p.sourcePath).ino);
    const destination = dir('dst');
    const plan = await planExport(exportInput(destination, 'move', { G: photos }));
    const result = await runExport(plan);
    expect(result).toMatchObject({ exported: 4, failed: 0 });
    for (const f of plan.files) {
      expect(fs.existsSync(f.sourcePath)).toBe(false);
      const st = fs.statSync(f.targetPath!);
      expect(st.ino).toBe(inodes[f.index]); // the very same file, so its bytes cannot differ
      expect(st.nlink).toBe(1);
      expect(sha256Of(f.targetPath!)).toBe(photos[f.index]!.sha256);
    }
  });

  it.skipIf(!otherFilesystem())('moves across filesystems by copy, verified by sha256, keeping mtime', async () => {
    const lib = dir('lib', otherFilesystem()!);
    const photos = makeLibrary(lib, 4);
    const destination = dir('dst');
    const plan = await planExport(exportInput(destination, 'move', { G: photos }));
    expect(plan.files.every((f) => !f.sameDevice)).toBe(true);
    const result = await runExport(plan);
    expect(result).toMatchObject({ exported: 4, failed: 0 });
    for (const f of plan.files) {
      expect(fs.existsSync(f.sourcePath)).toBe(false);
      expect(sha256Of(f.targetPath!)).toBe(photos[f.index]!.sha256);
      expect(fs.statSync(f.targetPath!).mtimeMs).toBe(photos[f.index]!.mtimeMs);
    }
  });

  it.skipIf(!otherFilesystem())('keeps an original whose content changed after planning (move refuses to delete it)', async () => {
    const lib = dir('lib', otherFilesystem()!);
    const photos = makeLibrary(lib, 2);
    const plan = await planExport(exportInput(dir('dst'), 'move', { G: photos }));
    // Same size and mtime, different bytes: only the hash can tell.
    const st = fs.statSync(photos[1]!.sourcePath);
    const bytes = fs.readFileSync(photos[1]!.sourcePath);
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(photos[1]!.sourcePath, bytes);
    fs.utimesSync(photos[1]!.sourcePath, st.atime, st.mtime);

    const result = await runExport(plan);

    expect(fs.existsSync(photos[0]!.sourcePath)).toBe(false);
    expect(sha256Of(photos[1]!.sourcePath)).toBe(sha256OfBytes(bytes));
    // Copied across filesystems: the copy's hash is checked against the library's before anything is deleted.
    expect(result).toMatchObject({ exported: 1, failed: 1 });
    expect(result.errors[0]!.reason).toMatch(/sha256/u);
    expect(visibleExportedFiles(plan.destination)).toHaveLength(1);
    expect(tempFiles(plan.destination)).toEqual([]);
  });

  it.each<ExportMode>(['copy', 'hardlink', 'symlink', 'move'])(
    '%s never overwrites a file that appears at the target between planning and writing',
    async (mode) => {
      const lib = dir('lib');
      const photos = makeLibrary(lib, 2, { folders: 1 });
      const destination = dir('dst');
      const plan = await planExport(exportInput(destination, mode, { G: photos }));
      const target = plan.files[0]!.targetPath!;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, 'the user’s own file, created after the preview');

      const result = await runExport(plan);

      expect(fs.readFileSync(target, 'utf8')).toBe('the user’s own file, created after the preview');
      expect(result).toMatchObject({ exported: 2, failed: 0 });
      const manifest = await readManifest(result.manifest);
      const exported = manifest.entries[0]!.exportedPath!;
      expect(path.basename(exported)).toBe('IMG_0000 (2).jpg');
      expect(sha256Of(exported)).toBe(photos[0]!.sha256);
      // The second file's planned name is not taken by the first's detour.
      expect(manifest.entries[1]!.exportedPath).toBe(plan.files[1]!.targetPath);
    },
  );

  it('records a file that vanished after planning as failed and exports the rest', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 3);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { G: photos }));
    fs.rmSync(photos[1]!.sourcePath);
    const result = await runExport(plan);
    expect(result).toMatchObject({ exported: 2, failed: 1 });
    expect(result.errors).toEqual([{ path: photos[1]!.sourcePath, status: 'failed', reason: expect.stringMatching(/not found/u) }]);
    const manifest = await readManifest(result.manifest);
    expect(manifest.entries[1]).toMatchObject({ status: 'failed', exportedPath: null });
    expect(tempFiles(plan.destination)).toEqual([]);
  });

  it('lists skipped files with their reasons in the result and manifest', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 2);
    fs.rmSync(photos[0]!.sourcePath);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { G: photos }));
    const result = await runExport(plan);
    expect(result).toMatchObject({ exported: 1, skipped: 1, failed: 0 });
    expect(result.errors).toEqual([{ path: photos[0]!.sourcePath, status: 'skipped', reason: 'the source file no longer exists' }]);
  });

  it('stops on cancellation with nothing partial visible, and resumes to exactly one copy of each', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 40, { size: () => 300_000 });
    const destination = dir('dst');
    const input = exportInput(destination, 'copy', { A: photos.slice(0, 20), B: photos.slice(20) });
    const plan = await planExport(input);
    const controller = new AbortController();
    await expect(
      runExport(plan, {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.filesDone >= 10) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });

    const partial = visibleExportedFiles(destination);
    expect(partial.length).toBeGreaterThanOrEqual(10);
    expect(partial.length).toBeLessThan(40);
    const hashes = new Set(photos.map((p) => p.sha256));
    for (const r of partial) expect(hashes.has(sha256Of(path.join(destination, r)))).toBe(true);
    expect(tempFiles(destination)).toEqual([]);
    expect(await listExports(destination)).toEqual([
      expect.objectContaining({ exportId: plan.exportId, complete: false, filesDone: partial.length, files: 40 }),
    ]);

    // A leftover temp file from a killed run is cleaned up on resume.
    const stray = path.join(destination, plan.groups[1]!.folder, `.photocluster-${plan.exportId}-39.tmp`);
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.writeFileSync(stray, 'half a photo');

    // Planning the same input again finds the unfinished export instead of starting a second one.
    const again = await planExport(input);
    expect(again.exportId).toBe(plan.exportId);
    expect(again.resume).toEqual({ filesDone: partial.length });
    const result = await runExport(again);

    expect(result).toMatchObject({ exported: 40, failed: 0, skipped: 0 });
    expectExportedOnce(destination, photos);
    expect(tempFiles(destination)).toEqual([]);
    expect(fs.existsSync(stray)).toBe(false);

    // Once finished, the same input is a new export, which finds every photo already there.
    const next = await planExport(input);
    expect(next.exportId).toBe(`${plan.exportId}-2`);
    expect(next.totals).toMatchObject({ exportable: 0, alreadyThere: 40 });
  });

  it('resumeExport continues an export by id', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 30);
    const destination = dir('dst');
    const plan = await planExport(exportInput(destination, 'move', { G: photos }));
    const controller = new AbortController();
    await expect(
      runExport(plan, { signal: controller.signal, concurrency: 1, progressIntervalMs: 0, onProgress: (p) => p.filesDone === 2 && controller.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    // Files already under way when the signal came finish; every original gone is one whose export exists.
    const moved = photos.filter((p) => !fs.existsSync(p.sourcePath));
    expect(moved.length).toBeGreaterThanOrEqual(2);
    expect(moved.length).toBeLessThan(30);
    const exportedHashes = visibleExportedFiles(destination).map((r) => sha256Of(path.join(destination, r)));
    for (const p of moved) expect(exportedHashes).toContain(p.sha256);

    const result = await resumeExport(destination, plan.exportId);

    expect(result).toMatchObject({ exported: 30, failed: 0 });
    expectExportedOnce(destination, photos);
    expect(photos.filter((p) => fs.existsSync(p.sourcePath))).toEqual([]);
    await expect(resumeExport(destination, 'no-such-export')).rejects.toThrow(/no export/u);
  });

  it('lets only one process run an export at a time', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 1);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { G: photos }));
    const paths = statePaths(plan.destination, plan.exportId);
    fs.mkdirSync(paths.dir, { recursive: true });
    const lock = await acquireLock(paths.lock, plan.exportId);
    await expect(runExport(plan)).rejects.toBeInstanceOf(ExportBusyError);
    await lock.release();
    // A lock left by a dead process is taken over.
    const host = (await import('node:os')).hostname();
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: 2 ** 22 + 1, host }));
    await expect(runExport(plan)).resolves.toMatchObject({ exported: 1 });
  });

  it.runIf(process.platform === 'linux')('takes over a lock whose pid now belongs to another process', async () => {
    const photos = makeLibrary(dir('lib'), 1);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { G: photos }));
    const paths = statePaths(plan.destination, plan.exportId);
    fs.mkdirSync(paths.dir, { recursive: true });
    const host = (await import('node:os')).hostname();
    // pid 1 with its real start is a live owner.
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: 1, host, start: processStart(1) }));
    await expect(runExport(plan)).rejects.toBeInstanceOf(ExportBusyError);
    // pid 1 is alive, but it is not the process that wrote this lock before a crash and reboot.
    fs.writeFileSync(paths.lock, JSON.stringify({ pid: 1, host, start: 'an-earlier-boot:4242' }));
    await expect(runExport(plan)).resolves.toMatchObject({ exported: 1 });
  });

  it.skipIf(!noLinkFilesystem())('works on a filesystem without hard links (exFAT), still never overwriting', async () => {
    const base = noLinkFilesystem()!;
    const photos = makeLibrary(dir('lib'), 3, { folders: 1 });
    const destination = dir('nolink', base);
    const plan = await planExport(exportInput(destination, 'copy', { G: photos }));
    const target = plan.files[0]!.targetPath!;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, 'the user’s own file');

    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 3, failed: 0 });
    expect(fs.readFileSync(target, 'utf8')).toBe('the user’s own file');
    expectExportedOnce(destination, [...photos, { ...photos[0]!, sha256: sha256Of(target) }]);
    expect(tempFiles(destination)).toEqual([]);

    // On that filesystem: move falls back to a verified copy; hard links and symlinks fail with a clear reason.
    const onStick = makeLibrary(dir('stick-lib', base), 2, { folders: 1 });
    const move = await runExport(await planExport(exportInput(dir('stick-move', base), 'move', { G: onStick })));
    expect(move).toMatchObject({ exported: 2, failed: 0 });
    expect(onStick.filter((p) => fs.existsSync(p.sourcePath))).toEqual([]);
    const stickCopies = makeLibrary(dir('stick-lib2', base), 1, { folders: 1 });
    const hard = await runExport(await planExport(exportInput(dir('stick-hard', base), 'hardlink', { G: stickCopies })));
    expect(hard.errors[0]!.reason).toMatch(/cannot hold hard links/u);
    const soft = await runExport(await planExport(exportInput(dir('stick-soft', base), 'symlink', { G: stickCopies })));
    expect(soft.errors[0]!.reason).toMatch(/symbolic link/u);
  });

  it('keeps the photo a symlinked source points to when copying', async () => {
    const lib = dir('lib');
    const real = writePhoto(path.join(lib, 'real.jpg'), 5000, 1);
    const link = path.join(lib, 'link.jpg');
    fs.symlinkSync(real.sourcePath, link);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { G: [{ ...real, photoId: 2, sourcePath: link }] }));
    const result = await runExport(plan);
    expect(result.exported).toBe(1);
    expect(fs.lstatSync(plan.files[0]!.targetPath!).isFile()).toBe(true);
    expect(sha256Of(plan.files[0]!.targetPath!)).toBe(real.sha256);
    // Moving a symlink would move only the link: refused up front.
    const move = await planExport(exportInput(dir('dst'), 'move', { G: [{ ...real, photoId: 2, sourcePath: link }] }));
    expect(move.problems.map((p) => p.code)).toEqual(['source-is-symlink']);
  });
});

describe('an original whose name is not valid UTF-8', () => {
  /** What a run killed right after these journal records leaves behind (the files they name are made by the caller). */
  function leaveInterrupted(plan: ExportPlan, records: JournalRecord[]): void {
    const paths = statePaths(plan.destination, plan.exportId);
    fs.mkdirSync(paths.dir, { recursive: true });
    fs.writeFileSync(paths.plan, JSON.stringify(plan));
    fs.writeFileSync(paths.journal, records.map((r) => JSON.stringify(r) + '\n').join(''));
    fs.mkdirSync(plan.groups[0]!.path, { recursive: true });
  }

  it('is copied with its bytes under a valid UTF-8 name, listed in the manifest, the original untouched', async () => {
    const lib = dir('lib');
    const photo = writeRawNamedPhoto(path.join(lib, 'old'), LATIN1_NAME, 30_000, 1);
    const plain = writePhoto(path.join(lib, 'old', 'plain.jpg'), 10_000, 2);
    const plan = await planExport(exportInput(dir('dst'), 'copy', { Old: [photo, plain] }));
    expect(plan.problems).toEqual([]);
    expect(plan.files[0]).toMatchObject({ sourcePath: path.join(lib, 'old', 'caf\uFFFD.jpg'), sourcePathBytes: photo.sourceFsPath.toString('hex') });
    expect(plan.files[1]!.sourcePathBytes).toBeUndefined();

    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 2, skipped: 0, failed: 0, errors: [] });
    const target = plan.files[0]!.targetPath!;
    expect(path.basename(target)).toBe('caf\uFFFD.jpg');
    const onDisk = fs.readdirSync(path.dirname(target), { encoding: 'buffer' });
    expect(onDisk.map((n) => n.toString('hex')).sort()).toEqual([Buffer.from('caf\uFFFD.jpg'), Buffer.from('plain.jpg')].map((b) => b.toString('hex')));
    expect(sha256Of(target)).toBe(photo.sha256);
    expect(fs.statSync(target).mtimeMs).toBe(photo.mtimeMs);
    expect(sha256Of(photo.sourceFsPath)).toBe(photo.sha256);

    const manifest = await readManifest(result.manifest);
    expect(manifest.entries[0]).toEqual({
      photoId: 1,
      group: 'Old',
      status: 'exported',
      originalPath: photo.sourcePath,
      originalPathBytes: photo.sourceFsPath.toString('hex'),
      exportedPath: target,
      sha256: photo.sha256,
      size: photo.size,
      mode: 'copy',
    });
    expect(manifest.entries[1]).not.toHaveProperty('originalPathBytes');
    expect(parseCsvWithPython(result.manifestCsv)[1]!.slice(3, 6)).toEqual([photo.sourcePath, target, photo.sha256]);
  });

  it('is hard-linked (same inode) and symlinked to its raw bytes path, the original untouched', async () => {
    const photo = writeRawNamedPhoto(dir('lib'), LATIN1_NAME, 20_000, 1);
    const original = fs.statSync(photo.sourceFsPath);
    for (const mode of ['hardlink', 'symlink'] as const) {
      const plan = await planExport(exportInput(dir(mode), mode, { G: [photo] }));
      const result = await runExport(plan);
      expect(result).toMatchObject({ exported: 1, skipped: 0, failed: 0 });
      const target = plan.files[0]!.targetPath!;
      expect(path.basename(target)).toBe('caf\uFFFD.jpg');
      if (mode === 'hardlink') expect(fs.lstatSync(target).ino).toBe(original.ino);
      else expect(fs.readlinkSync(target, { encoding: 'buffer' }).toString('hex')).toBe(photo.sourceFsPath.toString('hex'));
      expect(sha256Of(target)).toBe(photo.sha256);
    }
    expect(fs.statSync(photo.sourceFsPath)).toMatchObject({ ino: original.ino, nlink: 2, mtimeMs: original.mtimeMs });
    expect(sha256Of(photo.sourceFsPath)).toBe(photo.sha256);
  });

  it('is moved within one filesystem: linked, verified, then the raw original removed', async () => {
    const photo = writeRawNamedPhoto(dir('lib'), LATIN1_NAME, 20_000, 1);
    const ino = fs.statSync(photo.sourceFsPath).ino;
    const plan = await planExport(exportInput(dir('dst'), 'move', { G: [photo] }));
    const result = await runExport(plan);
    expect(result).toMatchObject({ exported: 1, failed: 0 });
    const target = plan.files[0]!.targetPath!;
    expect(fs.existsSync(photo.sourceFsPath)).toBe(false);
    expect(fs.statSync(target)).toMatchObject({ ino, nlink: 1 });
    expect(sha256Of(target)).toBe(photo.sha256);
  });

  it.skipIf(!otherFilesystem())('is moved across filesystems by a verified copy, and kept when it no longer matches', async () => {
    const lib = dir('lib', otherFilesystem()!);
    const photo = writeRawNamedPhoto(path.join(lib, 'a'), LATIN1_NAME, 20_000, 1);
    const changed = writeRawNamedPhoto(path.join(lib, 'b'), LATIN1_NAME, 20_000, 2);
    const plan = await planExport(exportInput(dir('dst'), 'move', { G: [photo, changed] }));
    // Same size and mtime, different bytes: only the hash can tell.
    const bytes = fs.readFileSync(changed.sourceFsPath);
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(changed.sourceFsPath, bytes);
    fs.utimesSync(changed.sourceFsPath, new Date(changed.mtimeMs), new Date(changed.mtimeMs));

    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 1, failed: 1 });
    expect(result.errors).toEqual([{ path: changed.sourcePath, status: 'failed', reason: expect.stringMatching(/sha256/u) }]);
    expect(fs.existsSync(photo.sourceFsPath)).toBe(false);
    expect(sha256Of(plan.files[0]!.targetPath!)).toBe(photo.sha256);
    expect(fs.statSync(plan.files[0]!.targetPath!).mtimeMs).toBe(photo.mtimeMs);
    expect(sha256Of(changed.sourceFsPath)).toBe(sha256OfBytes(bytes));
    expect(visibleExportedFiles(plan.destination)).toEqual([path.relative(plan.destination, plan.files[0]!.targetPath!)]);
    expect(tempFiles(plan.destination)).toEqual([]);
  });

  it('resumes a symlink export killed after its link was made, from the stored plan, without a second link', async () => {
    const photo = writeRawNamedPhoto(dir('lib'), LATIN1_NAME, 20_000, 1);
    const input = exportInput(dir('dst'), 'symlink', { G: [photo] });
    const plan = await planExport(input);
    const target = plan.files[0]!.targetPath!;
    leaveInterrupted(plan, [
      { t: 'start', at: '2024-01-01T00:00:00.000Z' },
      { t: 'link', i: 0, path: target, how: 'symlink' },
    ]);
    fs.symlinkSync(photo.sourceFsPath, target);
    // Planning the same input again finds it: the raw path hashes into the same export id.
    expect(await planExport(input)).toMatchObject({ exportId: plan.exportId, resume: { filesDone: 0 } });

    const result = await resumeExport(plan.destination, plan.exportId);

    expect(result).toMatchObject({ exported: 1, failed: 0 });
    expect(visibleExportedFiles(plan.destination)).toEqual([path.relative(plan.destination, target)]);
    expect(sha256Of(target)).toBe(photo.sha256);
  });

  it('resumes a move killed after verification: removes the raw original, exports nothing twice', async () => {
    const photo = writeRawNamedPhoto(dir('lib'), LATIN1_NAME, 20_000, 1);
    const plan = await planExport(exportInput(dir('dst'), 'move', { G: [photo] }));
    const target = plan.files[0]!.targetPath!;
    const content = { sha256: photo.sha256!, size: photo.size };
    leaveInterrupted(plan, [
      { t: 'start', at: '2024-01-01T00:00:00.000Z' },
      { t: 'link', i: 0, path: target, how: 'link' },
      { t: 'verified', i: 0, path: target, how: 'link', ...content },
    ]);
    fs.linkSync(photo.sourceFsPath, target);

    const result = await resumeExport(plan.destination, plan.exportId);

    expect(result).toMatchObject({ exported: 1, failed: 0 });
    expect(fs.existsSync(photo.sourceFsPath)).toBe(false);
    expect(visibleExportedFiles(plan.destination)).toEqual([path.relative(plan.destination, target)]);
    expect(sha256Of(target)).toBe(photo.sha256);
  });
});
