import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATIN1_NAME, sha256Of, writePhoto, writeRawNamedPhoto } from '../../test/exportFixtures.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { displayPath } from '../library/index.js';
import { openDatabase, type Database } from '../store/db.js';
import { getOrCreateLibrary } from '../store/libraries.js';
import { insertCluster, placeByUser } from '../store/groups.js';
import { EMPTY_CONTENT, getPhoto, insertPhoto } from '../store/photos.js';
import type { ExportSourceFile } from './export/index.js';
import { exportInput, planLibraryExport, runLibraryExport, type LibraryExportArgs } from './exportJob.js';
import type { JobContext } from './jobManager.js';

const opened: Database[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

/** A library on disk and in the database: `2019/caf\xe9.jpg` (Latin-1, not UTF-8) and `2019/plain.jpg` in one group. */
function libraryWithLatin1Name(): { db: Database; libraryId: number; clusterId: number; raw: ExportSourceFile & { sourceFsPath: Buffer }; plain: ExportSourceFile } {
  const root = tempDir('pc-lib-');
  const db = openDatabase(path.join(tempDir('pc-db-'), 'pc.db'));
  opened.push(db);
  const libraryId = getOrCreateLibrary(db, root).id;
  const clusterId = insertCluster(db, { libraryId, name: 'Trip', userNamed: true, modelIndex: null });
  const add = <F extends ExportSourceFile>(rel: Buffer, file: F): F => {
    const photoId = insertPhoto(db, libraryId, {
      ...EMPTY_CONTENT,
      content_hash: file.sha256!,
      rel_path: rel,
      display_path: displayPath(rel),
      size: file.size,
      mtime_ms: file.mtimeMs,
      status: 'ok',
      error: null,
    });
    placeByUser(db, photoId, clusterId);
    return { ...file, photoId };
  };
  const folder = path.join(root, '2019');
  const raw = add(Buffer.concat([Buffer.from('2019/'), LATIN1_NAME]), writeRawNamedPhoto(folder, LATIN1_NAME, 20_000, 0));
  const plain = add(Buffer.from('2019/plain.jpg'), writePhoto(path.join(folder, 'plain.jpg'), 10_000, 0));
  return { db, libraryId, clusterId, raw, plain };
}

function job(args: LibraryExportArgs): JobContext<LibraryExportArgs> {
  return { jobId: 1, libraryId: args.libraryId, args, signal: new AbortController().signal, resumed: false, progress: () => {} };
}

describe('library export of a photo whose name is not valid UTF-8', () => {
  it('gives the engine its raw bytes path; other photos keep only their text path', () => {
    const { db, libraryId, clusterId, raw, plain } = libraryWithLatin1Name();
    const files = exportInput(db, { libraryId, clusterIds: [clusterId], destination: tempDir('pc-dst-'), mode: 'copy' }).groups[0]!.files;
    const byId = new Map(files.map((f) => [f.photoId, f]));
    expect(byId.get(raw.photoId)).toMatchObject({ sourcePath: raw.sourcePath, size: raw.size, sha256: raw.sha256 });
    expect((byId.get(raw.photoId)!.sourceFsPath as Buffer).toString('hex')).toBe(raw.sourceFsPath.toString('hex'));
    expect(byId.get(plain.photoId)).toEqual({ photoId: plain.photoId, sourcePath: plain.sourcePath, size: plain.size, mtimeMs: plain.mtimeMs, sha256: plain.sha256 });
  });

  it('copies it instead of reporting it missing', async () => {
    const { db, libraryId, clusterId, raw, plain } = libraryWithLatin1Name();
    const args: LibraryExportArgs = { libraryId, clusterIds: [clusterId], destination: tempDir('pc-dst-'), mode: 'copy' };
    const { preview } = await planLibraryExport(db, args);
    expect(preview).toMatchObject({ files: 2, bytes: raw.size + plain.size, problems: [] });

    const result = await runLibraryExport(db, job(args));

    expect(result).toMatchObject({ exported: 2, skipped: 0, failed: 0, errors: [] });
    const exported = path.join(args.destination, 'Trip', 'caf\uFFFD.jpg');
    expect(sha256Of(exported)).toBe(raw.sha256);
    expect(sha256Of(raw.sourceFsPath)).toBe(raw.sha256);
    expect(sha256Of(path.join(args.destination, 'Trip', 'plain.jpg'))).toBe(plain.sha256);
  });

  it('moves it out of the library and records where it went', async () => {
    const { db, libraryId, clusterId, raw } = libraryWithLatin1Name();
    const args: LibraryExportArgs = { libraryId, clusterIds: [clusterId], destination: tempDir('pc-dst-'), mode: 'move' };

    const result = await runLibraryExport(db, job(args));

    expect(result).toMatchObject({ exported: 2, failed: 0 });
    const exported = path.join(args.destination, 'Trip', 'caf\uFFFD.jpg');
    expect(fs.existsSync(raw.sourceFsPath)).toBe(false);
    expect(sha256Of(exported)).toBe(raw.sha256);
    expect(getPhoto(db, raw.photoId)).toMatchObject({ status: 'missing', error: `moved to ${exported} by an export` });
  });
});
