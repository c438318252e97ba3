/**
 * Exporting again into a destination that holds this library's earlier export: only what is not there yet is added,
 * "N already there" is reported, a photo whose group changed goes to its new group's folder (the old copy stays, and
 * the result says so), and nothing is ever overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportInput, listTree, makeLibrary, sha256Of, useTempDirs, visibleExportedFiles } from '../../../test/exportFixtures.js';
import { planExport, readManifest, runExport, type ExportInput, type ExportMode, type ExportSourceFile } from './index.js';

const dir = useTempDirs();

function input(lib: string, destination: string, groups: Record<string, ExportSourceFile[]>, mode: ExportMode = 'copy'): ExportInput {
  return { ...exportInput(destination, mode, groups), libraryRoot: lib };
}

async function exportOnce(i: ExportInput) {
  return runExport(await planExport(i));
}

describe('exporting again into the same destination', () => {
  it('adds nothing when a finished copy export is run again, and reports every photo as already there', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 30, { folders: 1 });
    const destination = dir('dst');
    const groups = { Cats: photos.slice(0, 18), Dogs: photos.slice(18) };
    const first = await exportOnce(input(lib, destination, groups));
    expect(first).toMatchObject({ exported: 30, alreadyThere: 0 });
    const before = listTree(destination).filter((r) => !r.startsWith('.'));

    const plan = await planExport(input(lib, destination, groups));
    expect(plan.totals).toMatchObject({ exportable: 0, alreadyThere: 30, bytesNeeded: 0 });
    const again = await runExport(plan);

    expect(again).toMatchObject({ exported: 0, alreadyThere: 30, skipped: 0, failed: 0, bytes: 0, errors: [], notes: [] });
    expect(visibleExportedFiles(destination)).toHaveLength(30);
    expect(visibleExportedFiles(destination).filter((r) => / \(\d+\)\.jpg$/.test(r))).toEqual([]);
    // The new manifest says where each photo is, without a second copy of anything.
    const manifest = await readManifest(again.manifest);
    expect(manifest.library).toEqual({ root: lib });
    expect(manifest.entries.map((e) => e.status)).toEqual(Array(30).fill('already-there'));
    const firstManifest = await readManifest(first.manifest);
    expect(manifest.entries.map((e) => e.exportedPath)).toEqual(firstManifest.entries.map((e) => e.exportedPath));
    expect(listTree(destination).filter((r) => !r.startsWith('.') && !r.startsWith('photocluster-manifest-'))).toEqual(
      before.filter((r) => !r.startsWith('photocluster-manifest-')),
    );
  });

  it('adds only the photos not already there', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 8);
    const destination = dir('dst');
    await exportOnce(input(lib, destination, { Trip: photos.slice(0, 5) }));

    const result = await exportOnce(input(lib, destination, { Trip: photos }));

    expect(result).toMatchObject({ exported: 3, alreadyThere: 5, failed: 0 });
    const hashes = visibleExportedFiles(destination).map((r) => sha256Of(path.join(destination, r)));
    expect(hashes.sort()).toEqual(photos.map((p) => p.sha256!).sort());
  });

  it('exports a photo whose group changed into its new folder, keeps the old copy and says so', async () => {
    const lib = dir('lib');
    const [a, b, c] = makeLibrary(lib, 3, { folders: 1 });
    const destination = dir('dst');
    await exportOnce(input(lib, destination, { Cats: [a!, b!], Dogs: [c!] }));

    const plan = await planExport(input(lib, destination, { Cats: [a!], Dogs: [b!, c!] }));
    const reason = `its group changed since an earlier export, which put it in Cats/${path.basename(b!.sourcePath)}; that copy stays`;
    expect(plan.problems).toEqual([{ code: 'group-changed', severity: 'warning', path: b!.sourcePath, reason }]);
    const result = await runExport(plan);

    expect(result).toMatchObject({ exported: 1, alreadyThere: 2, notes: [{ path: b!.sourcePath, reason }] });
    expect(sha256Of(path.join(destination, 'Dogs', path.basename(b!.sourcePath)))).toBe(b!.sha256);
    expect(sha256Of(path.join(destination, 'Cats', path.basename(b!.sourcePath)))).toBe(b!.sha256);
    const entry = (await readManifest(result.manifest)).entries.find((e) => e.photoId === b!.photoId)!;
    expect(entry).toMatchObject({ status: 'exported', reason });
  });

  it('exports again what was deleted or edited at the destination since, never overwriting', async () => {
    const lib = dir('lib');
    const [a, b] = makeLibrary(lib, 2, { folders: 1 });
    const destination = dir('dst');
    await exportOnce(input(lib, destination, { G: [a!, b!] }));
    const copyOfA = path.join(destination, 'G', path.basename(a!.sourcePath));
    const copyOfB = path.join(destination, 'G', path.basename(b!.sourcePath));
    fs.rmSync(copyOfA);
    fs.writeFileSync(copyOfB, 'edited by the user');

    const result = await exportOnce(input(lib, destination, { G: [a!, b!] }));

    expect(result).toMatchObject({ exported: 2, alreadyThere: 0 });
    expect(sha256Of(copyOfA)).toBe(a!.sha256);
    expect(fs.readFileSync(copyOfB, 'utf8')).toBe('edited by the user');
    expect(sha256Of(copyOfB.replace(/\.jpg$/, ' (2).jpg'))).toBe(b!.sha256);
  });

  it("counts only this library's exports: another library's manifest vouches for nothing", async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 3);
    const destination = dir('dst');
    const first = await exportOnce(input(lib, destination, { G: photos }));
    const manifest = await readManifest(first.manifest);
    fs.writeFileSync(first.manifest, JSON.stringify({ ...manifest, library: { root: dir('other-lib') } }));

    const result = await exportOnce(input(lib, destination, { G: photos }));

    expect(result).toMatchObject({ exported: 3, alreadyThere: 0 });
    expect(visibleExportedFiles(destination)).toHaveLength(6); // numbered names beside the first copies, none replaced
  });

  it('recognises an export made before manifests named their library, by where its originals are', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 3);
    const destination = dir('dst');
    const first = await exportOnce(input(lib, destination, { G: photos }));
    const { library: _library, ...older } = await readManifest(first.manifest);
    fs.writeFileSync(first.manifest, JSON.stringify(older));

    expect(await exportOnce(input(lib, destination, { G: photos }))).toMatchObject({ exported: 0, alreadyThere: 3 });
  });

  it('leaves originals of photos already there in place when the re-run is a move', async () => {
    const lib = dir('lib');
    const photos = makeLibrary(lib, 2, { folders: 1 });
    const destination = dir('dst');
    await exportOnce(input(lib, destination, { G: photos }));

    const result = await exportOnce(input(lib, destination, { G: photos }, 'move'));

    expect(result).toMatchObject({ exported: 0, alreadyThere: 2 });
    for (const p of photos) expect(sha256Of(p.sourcePath)).toBe(p.sha256);
    const entries = (await readManifest(result.manifest)).entries;
    expect(entries.map((e) => e.reason)).toEqual(Array(2).fill('already there from an earlier export of this library; the original was not removed'));
  });
});
