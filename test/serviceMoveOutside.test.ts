/**
 * The repro through the real service: a photo reached through a folder link that leads outside the library
 * (`ln -s $PWD/out lib/linkdir`) is scanned like any other; a move export must copy it, not delete it from `out/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { followJob } from '../core/cli/serviceSession.js';
import { resolveDataPaths } from '../core/paths.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { makeJpeg, sha256File, writeFixture } from './fixtures/images.js';
import { tempDir } from './helpers/tmp.js';

let service: Service | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

it('copies, and never deletes, a photo a move export reaches through a folder link out of the library', async () => {
  const tmp = fs.realpathSync(tempDir('pc-move-outside-'));
  const lib = path.join(tmp, 'lib');
  const out = path.join(tmp, 'out');
  writeFixture(lib, 'in.jpg', await makeJpeg({ width: 64, height: 48, seed: 1 }));
  writeFixture(out, 'x.jpg', await makeJpeg({ width: 64, height: 48, seed: 2 }));
  const outsideHash = sha256File(path.join(out, 'x.jpg'));
  fs.symlinkSync(out, path.join(lib, 'linkdir'));
  service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser', folderRoot: tmp });
  const libraryId = (await service.addLibrary({ root: lib })).id;
  expect((await followJob(service, await service.scanLibrary({ libraryId }), true)).result).toMatchObject({ added: 2, failed: 0 });
  const photos = (await service.listPhotos({ libraryId })).items;
  const { createdClusterIds } = await service.movePhotos({ photoIds: photos.map((p) => p.id), to: { newCluster: 'Trip' } });
  const destination = path.join(tmp, 'E');
  const args = { libraryId, clusterIds: createdClusterIds, destination, mode: 'move' as const };

  const preview = await service.previewExport(args);
  const job = await followJob(service, await service.startExport(args), true);

  const outsider = photos.find((p) => p.relPath === 'linkdir/x.jpg')!;
  const reason = 'outside the library folder; copied, not moved';
  expect(preview.problems).toEqual([{ path: path.join(lib, 'linkdir', 'x.jpg'), reason }]);
  expect(job.result).toMatchObject({ exported: 2, failed: 0, notes: [{ path: path.join(lib, 'linkdir', 'x.jpg'), reason }] });
  expect(sha256File(path.join(out, 'x.jpg'))).toBe(outsideHash);
  expect(sha256File(path.join(destination, 'Trip', 'x.jpg'))).toBe(outsideHash);
  expect(fs.existsSync(path.join(lib, 'in.jpg'))).toBe(false);
  // The copied photo is still in the library; the moved one left it.
  expect(await service.getPhoto({ photoId: outsider.id })).toMatchObject({ status: 'ok' });
  const moved = photos.find((p) => p.relPath === 'in.jpg')!;
  expect(await service.getPhoto({ photoId: moved.id })).toMatchObject({ status: 'missing', error: `moved to ${path.join(destination, 'Trip', 'in.jpg')} by an export` });
});
