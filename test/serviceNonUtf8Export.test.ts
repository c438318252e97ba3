/**
 * A photo whose file name is not valid UTF-8 (Latin-1 "café.jpg" on ext4), through the real service: the scan
 * keeps its raw name, an export copies it like any other photo, and "open" hands the system opener a path that opens it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { followJob } from '../core/cli/serviceSession.js';
import { resolveDataPaths } from '../core/paths.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { LATIN1_NAME, sha256Of } from './exportFixtures.js';
import { makeJpeg, writeFixture } from './fixtures/images.js';
import { tempDir } from './helpers/tmp.js';

let service: Service | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

it('scans a photo whose name is not valid UTF-8 and exports it under a UTF-8 name', async () => {
  const tmp = fs.realpathSync(tempDir('pc-nonutf8-'));
  const root = path.join(tmp, 'Photos');
  const original = writeFixture(root, LATIN1_NAME, await makeJpeg({ width: 64, height: 48, seed: 1 }));
  service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser', folderRoot: tmp });
  const libraryId = (await service.addLibrary({ root })).id;
  expect((await followJob(service, await service.scanLibrary({ libraryId }), true)).result).toMatchObject({ added: 1, failed: 0 });
  const photoIds = (await service.listPhotos({ libraryId })).items.map((p) => p.id);
  const { createdClusterIds } = await service.movePhotos({ photoIds, to: { newCluster: 'Café' } });
  const destination = path.join(tmp, 'Export');

  const job = await followJob(service, await service.startExport({ libraryId, clusterIds: createdClusterIds, destination }), true);

  expect(job.result).toMatchObject({ exported: 1, skipped: 0, failed: 0, errors: [] });
  expect(sha256Of(path.join(destination, 'Café', 'caf\uFFFD.jpg'))).toBe(sha256Of(original));
});

it('opens a photo whose name is not valid UTF-8 through a readable symlink to its raw path', async () => {
  const tmp = fs.realpathSync(tempDir('pc-nonutf8-open-'));
  const root = path.join(tmp, 'Photos');
  const original = writeFixture(root, LATIN1_NAME, await makeJpeg({ width: 64, height: 48, seed: 2 }));
  const plain = writeFixture(root, 'plain.jpg', await makeJpeg({ width: 64, height: 48, seed: 3 }));
  const opened: string[] = [];
  const paths = resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') });
  const shell = { openPath: async (p: string) => (opened.push(p), true) };
  service = await createService({ paths, platform: 'browser', folderRoot: tmp, shell });
  const libraryId = (await service.addLibrary({ root })).id;
  await followJob(service, await service.scanLibrary({ libraryId }), true);
  const photos = (await service.listPhotos({ libraryId })).items;
  const idOf = (name: string) => photos.find((p) => p.relPath === name)!.id;

  expect(await service.openPhoto({ photoId: idOf('plain.jpg') })).toEqual({ opened: true });
  expect(await service.openPhoto({ photoId: idOf('caf\uFFFD.jpg') })).toEqual({ opened: true });

  expect(opened[0]).toBe(plain.toString());
  const link = opened[1]!;
  expect(path.basename(link)).toBe('caf\uFFFD.jpg');
  expect(fs.readlinkSync(link, { encoding: 'buffer' }).equals(Buffer.from(original))).toBe(true);
  expect(sha256Of(link)).toBe(sha256Of(original));
  // Links from an earlier session are cleared when the service starts again; the photo itself is untouched.
  await service.close();
  service = await createService({ paths, platform: 'browser', folderRoot: tmp, shell });
  expect(fs.existsSync(link)).toBe(false);
  expect(fs.existsSync(original)).toBe(true);
});

it('ties each scan error to its own photo when two names differ only in bytes that are not UTF-8', async () => {
  const tmp = fs.realpathSync(tempDir('pc-nonutf8-errors-'));
  const root = path.join(tmp, 'Photos');
  // Latin-1 "caf\xe8.jpg" and "caf\xe9.jpg" both read "caf\uFFFD.jpg"; each fails for its own reason.
  writeFixture(root, Buffer.from([...Buffer.from('caf'), 0xe8, ...Buffer.from('.jpg')]), Buffer.alloc(0));
  writeFixture(root, LATIN1_NAME, Buffer.from('not a jpeg at all'));
  service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser', folderRoot: tmp });
  const libraryId = (await service.addLibrary({ root })).id;
  expect((await followJob(service, await service.scanLibrary({ libraryId }), true)).result).toMatchObject({ failed: 2 });

  const errors = await service.listScanErrors({ libraryId });

  expect(errors.items).toHaveLength(2);
  for (const e of errors.items) {
    expect(e.path).toBe('caf\uFFFD.jpg');
    expect(e.photoId).not.toBeNull();
    expect((await service.getPhoto({ photoId: e.photoId! })).error, e.reason).toBe(e.reason);
  }
  expect(new Set(errors.items.map((e) => e.photoId)).size).toBe(2);
});
