/**
 * The service end to end on real files and a real database, through the same objects the CLI, the browser-mode
 * server and Electron use: scan → groups made by hand → rename → move → merge → undo → export → files on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ClusterInfo } from '../core/api.js';
import { createWsClient } from '../core/client/wsClient.js';
import { followJob } from '../core/cli/serviceSession.js';
import { resolveDataPaths } from '../core/paths.js';
import { startServer } from '../core/server/server.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { makeJpeg, sha256File, writeFixture } from './fixtures/images.js';

describe('service on a real library', () => {
  let tmp: string;
  let root: string;
  let service: Service;
  let libraryId: number;
  const originals = new Map<string, string>();

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-service-')));
    root = path.join(tmp, 'Photos');
    fs.mkdirSync(path.join(root, 'trip'), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const rel = i < 4 ? `trip/img${i}.jpg` : `home${i}.jpg`;
      writeFixture(root, rel, await makeJpeg({ width: 160, height: 120, seed: i + 1, exif: { make: 'Acme', model: 'Cam 1', takenAt: `2024:0${(i % 9) + 1}:01 10:00:00` } }));
    }
    writeFixture(root, 'broken.jpg', Buffer.from('not a jpeg at all'));
    writeFixture(root, 'empty.png', Buffer.alloc(0));
    for (const f of fs.readdirSync(root, { recursive: true }) as string[]) {
      const full = path.join(root, f);
      if (fs.statSync(full).isFile()) originals.set(f, sha256File(full));
    }
    service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser', folderRoot: tmp });
  });

  afterAll(async () => {
    await service.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const ids = async (clusterId?: number | null) =>
    (await service.listPhotos({ libraryId, ...(clusterId !== undefined ? { clusterId } : {}), sort: 'name', order: 'asc' })).items.map((p) => p.relPath);

  it('adds a folder, scans it as a job and reports the bad files', async () => {
    const lib = await service.addLibrary({ root });
    libraryId = lib.id;
    expect(lib).toMatchObject({ root, name: 'Photos', photoCount: 0 });
    await expect(service.addLibrary({ root: path.join(tmp, 'nope') })).rejects.toMatchObject({ code: 'bad_request' });
    const job = await followJob(service, await service.scanLibrary({ libraryId }), true);
    expect(job.result).toMatchObject({ scanned: 10, added: 8, failed: 2 });
    expect(await service.getLibrary({ libraryId })).toMatchObject({ photoCount: 8, failedCount: 2, clusterCount: 0 });
    const errors = await service.listScanErrors({ libraryId });
    expect(errors.items.map((e) => e.path).sort()).toEqual(['broken.jpg', 'empty.png']);
    expect(errors.items.every((e) => e.reason.length > 5)).toBe(true);
    expect(await ids(null)).toHaveLength(8); // nothing grouped yet
    const failed = await service.listPhotos({ libraryId, filter: 'failed' });
    expect(failed.total).toBe(2);
  });

  it('serves photo details and thumbnails by id only', async () => {
    const [first] = (await service.listPhotos({ libraryId, sort: 'name', order: 'asc', limit: 1 })).items;
    const details = await service.getPhoto({ photoId: first!.id });
    expect(details).toMatchObject({ relPath: 'home4.jpg', width: 160, height: 120, cameraMake: 'Acme', cameraModel: 'Cam 1', format: 'jpeg', status: 'ok' });
    expect(details.sha256).toBe(originals.get('home4.jpg'));
    const thumb = await service.media.thumbnailFile(first!.id);
    expect(fs.readFileSync(thumb!).subarray(8, 12).toString()).toBe('WEBP');
    expect((await service.media.previewImage(first!.id))?.contentType).toBe('image/jpeg');
    expect(await service.media.thumbnailFile(999_999)).toBeNull();
    await expect(service.getPhoto({ photoId: 999_999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('makes groups by hand, renames, moves, merges, undoes and redoes', async () => {
    const all = (await service.listPhotos({ libraryId, sort: 'name', order: 'asc' })).items;
    const trip = all.filter((p) => p.relPath.startsWith('trip/')).map((p) => p.id);
    const home = all.filter((p) => !p.relPath.startsWith('trip/')).map((p) => p.id);
    const a = await service.movePhotos({ photoIds: trip, to: { newCluster: 'Trip' } });
    const tripId = a.createdClusterIds[0]!;
    const b = await service.movePhotos({ photoIds: home, to: {} });
    const homeId = b.createdClusterIds[0]!;
    expect(b.clusters.find((c) => c.id === homeId)?.name).toBe('New group');
    await service.renameCluster({ clusterId: homeId, name: 'Home' });
    await service.movePhotos({ photoIds: [home[0]!], to: { clusterId: tripId } });
    expect(await ids(tripId)).toHaveLength(5);
    const merged = await service.mergeClusters({ clusterIds: [tripId, homeId] });
    expect(merged.clusters.map((c: ClusterInfo) => [c.name, c.size])).toEqual([['Trip', 8]]);
    const undone = await service.undo({ libraryId });
    expect(undone.edit?.kind).toBe('merge');
    expect(undone.clusters.map((c) => [c.name, c.size]).sort()).toEqual([['Home', 3], ['Trip', 5]]);
    await service.redo({ libraryId });
    await service.undo({ libraryId });
    const history = await service.listHistory({ libraryId });
    expect(history.entries.map((e) => [e.kind, e.undone])).toEqual([
      ['merge', true],
      ['move', false],
      ['rename', false],
      ['move', false],
      ['move', false],
    ]);
    expect(history).toMatchObject({ canUndo: true, canRedo: true });
    await expect(service.renameCluster({ clusterId: homeId, name: '   ' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('previews and runs an export that copies each group into its own folder, originals untouched', async () => {
    const clusters = await service.listClusters({ libraryId });
    const dest = path.join(tmp, 'Export');
    const preview = await service.previewExport({ libraryId, clusterIds: clusters.map((c) => c.id), destination: dest });
    expect(preview).toMatchObject({ files: 8, fits: true, mode: 'copy' });
    expect(preview.groups.map((g) => [g.folder, g.files]).sort()).toEqual([['Home', 3], ['Trip', 5]]);
    const job = await followJob(service, await service.startExport({ libraryId, clusterIds: clusters.map((c) => c.id), destination: dest }), true);
    expect(job.result).toMatchObject({ exported: 8, failed: 0 });
    const exported = (fs.readdirSync(dest, { recursive: true }) as string[]).filter((f) => f.endsWith('.jpg')).sort();
    expect(exported).toEqual(['Home/home5.jpg', 'Home/home6.jpg', 'Home/home7.jpg', 'Trip/home4.jpg', 'Trip/img0.jpg', 'Trip/img1.jpg', 'Trip/img2.jpg', 'Trip/img3.jpg']);
    for (const f of exported) {
      const original = f.startsWith('Trip/img') ? `trip/${path.basename(f)}` : path.basename(f);
      expect(sha256File(path.join(dest, f)), f).toBe(originals.get(original));
    }
    // Exporting again into the same folder adds nothing: every photo is already there, and is counted as such.
    const again = await followJob(service, await service.startExport({ libraryId, clusterIds: [clusters[0]!.id], destination: dest }), true);
    expect(again.result).toMatchObject({ exported: 0, alreadyThere: clusters[0]!.size, failed: 0 });
    expect(fs.readdirSync(path.join(dest, clusters[0]!.name)).filter((f) => f.endsWith('.jpg')).length).toBe(clusters[0]!.size);
    for (const [rel, hash] of originals) expect(sha256File(path.join(root, rel)), rel).toBe(hash);
  });

  it('browses folders only inside its root', async () => {
    const listing = await service.browseFolders({});
    expect(listing.entries.map((e) => e.name)).toContain('Photos');
    await expect(service.browseFolders({ path: '/etc' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(service.showFolderDialog({})).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('answers the browser-mode client over WebSocket and serves thumbnails over HTTP', async () => {
    const server = await startServer({ api: service, media: service.media, staticDir: null });
    try {
      const client = createWsClient({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}`, WebSocketImpl: WebSocket as never });
      const libs = await client.listLibraries();
      expect(libs.map((l) => l.id)).toEqual([libraryId]);
      const [photo] = (await client.listPhotos({ libraryId, limit: 1 })).items;
      const res = await fetch(`${server.url}thumb/${photo!.id}`, { headers: { Authorization: `Bearer ${server.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      client.close();
    } finally {
      await server.close();
    }
  });

  it('moves photos out only by an explicit move export, and then knows they left', async () => {
    const clusters = await service.listClusters({ libraryId });
    const home = clusters.find((c) => c.name === 'Home')!;
    const dest = path.join(tmp, 'Moved');
    const job = await followJob(service, await service.startExport({ libraryId, clusterIds: [home.id], destination: dest, mode: 'move' }), true);
    expect(job.result).toMatchObject({ exported: 3, failed: 0 });
    for (const f of ['home5.jpg', 'home6.jpg', 'home7.jpg']) {
      expect(fs.existsSync(path.join(root, f))).toBe(false);
      expect(sha256File(path.join(dest, 'Home', f))).toBe(originals.get(f));
    }
    expect(await service.getLibrary({ libraryId })).toMatchObject({ photoCount: 5, missingCount: 3 });
  });
});
