/**
 * The contract's implementation: one object behind the Electron bridge, the browser-mode server and the CLI.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ApiError, validateArgs, type ArgsIn, type ArgsOf, type BackendInfo, type Capabilities, type EditResult, type MethodName, type Results } from '../api.js';
import { openDatabase } from '../store/db.js';
import { deleteLibrary, getOrCreateLibrary } from '../store/libraries.js';
import { getCluster } from '../store/groups.js';
import { photoLocation } from '../store/photos.js';
import { absolutePathBytes, checkScanRoot, isLosslessUtf8, ScanRootError } from '../library/index.js';
import { sanitizeName } from './export/names.js';
import { EventBus } from './events.js';
import { EditLog } from './edits.js';
import { GroupEditor, type EditOutcome } from './groupEdits.js';
import { JobManager } from './jobManager.js';
import { MlHost, forkWorker } from './mlHost.js';
import { mlClient } from './mlClient.js';
import { browseFolders } from './folders.js';
import * as q from './contractReads.js';
import { readSettings, writeSettings } from './settings.js';
import type { Service, ServiceOptions } from './types.js';
import { createJobHandlers } from './jobHandlers.js';
import { splitPartitioner } from './split.js';
import { knownBackbone, listBackbones } from './backbones.js';
import { planLibraryExport } from './exportJob.js';
import { nearDuplicateGroups } from './nearDuplicateGroups.js';
import { createMediaSource } from './media.js';
import { epochsOfJob } from '../store/trainingEpochs.js';
import { unfinishedRun } from './unfinishedRun.js';
import { namesDue } from './groupNames.js';

const require = createRequire(import.meta.url);
const VERSION = (require('../../package.json') as { version: string }).version;

export async function createService(opts: ServiceOptions): Promise<Service> {
  // The database first: it says in plain words why an unusable --db cannot be used.
  const db = openDatabase(opts.paths.dbPath);
  fs.mkdirSync(opts.paths.dataDir, { recursive: true });
  const log = opts.log ?? (() => {});
  const events = new EventBus();
  const editLog = new EditLog(db);
  const editor = new GroupEditor(db, editLog);
  const mlHost = new MlHost(opts.spawnWorker ?? (() => forkWorker()), log);
  const ml = mlClient(mlHost);
  const handlers = createJobHandlers({ db, paths: opts.paths, events, ml, editLog, log });
  const jobs = new JobManager(db, events, handlers, { log });
  const folderRoot = path.resolve(opts.folderRoot ?? os.homedir());

  const changed = (libraryId: number, parts: Array<'library' | 'photos' | 'clusters' | 'history' | 'runs'>) =>
    events.emit('libraryChanged', { libraryId, parts });

  async function editResult(outcome: EditOutcome): Promise<EditResult> {
    changed(outcome.libraryId, ['clusters', 'photos', 'history']);
    if (outcome.edit) await nameChangedGroups(outcome.libraryId);
    return { edit: outcome.edit, clusters: q.listClusters(db, outcome.libraryId, true), createdClusterIds: outcome.createdClusterIds };
  }

  /**
   * After an edit (or at start), queues a naming job where groups' surest photos changed (a split's new groups, a merge,
   * an undo). One waiting job serves any number of edits: it names what is due when it runs. A failure here never fails
   * the edit.
   */
  async function nameChangedGroups(libraryId: number): Promise<void> {
    try {
      const waiting = jobs.list({ libraryId, limit: 20 }).some((j) => j.kind === 'names' && j.state === 'queued');
      if (!waiting && (await namesDue(db, opts.paths.modelsDir, libraryId))) jobs.enqueue('names', libraryId, { libraryId });
    } catch (err) {
      log(`group names: not queued after the edit (${(err as Error)?.message ?? String(err)})`);
    }
  }

  function libraryOfCluster(clusterId: number): number {
    const lib = getCluster(db, clusterId)?.library_id;
    if (lib === undefined) throw new ApiError('not_found', `no group ${clusterId}`);
    return lib;
  }

  /** The original's path as bytes (names that are not valid UTF-8 still open) and as text for display/openers. */
  function photoFile(photoId: number): { bytes: Buffer; text: string } {
    const row = photoLocation(db, photoId);
    if (!row) throw new ApiError('not_found', `no photo ${photoId}`);
    const bytes = absolutePathBytes(row.root, row.rel_path);
    return { bytes, text: bytes.toString('utf8') };
  }

  function backends(): BackendInfo[] {
    const has = (pkg: string) => {
      try {
        require.resolve(pkg);
        return true;
      } catch {
        return false;
      }
    };
    return [
      { name: 'tensorflow-gpu', kind: 'gpu', available: has('@tensorflow/tfjs-node-gpu'), notes: 'CUDA GPU through libtensorflow; fastest, needs an NVIDIA GPU and its drivers' },
      { name: 'webgpu', kind: 'gpu', available: has('webgpu') && has('@tensorflow/tfjs-backend-webgpu'), notes: 'any graphics card (NVIDIA, AMD, Intel, Apple) through WebGPU; used automatically when a real graphics card is found' },
      { name: 'tensorflow', kind: 'native', available: has('@tensorflow/tfjs-node'), notes: 'native libtensorflow on the CPU' },
      { name: 'wasm', kind: 'wasm', available: has('@tensorflow/tfjs-backend-wasm'), notes: 'WebAssembly with SIMD on the CPU; works everywhere' },
      { name: 'cpu', kind: 'cpu', available: true, notes: 'plain JavaScript; very slow, a last resort' },
    ];
  }

  // Openers take a path as text; a name that is not valid UTF-8 has no text spelling that opens it, so the opener gets
  // a symlink with a readable name pointing at the raw bytes. Made fresh per open, cleared at start.
  const openLinks = path.join(opts.paths.dataDir, 'open-links');
  fs.rmSync(openLinks, { recursive: true, force: true });

  function openablePath(photoId: number): string {
    const file = photoFile(photoId);
    if (isLosslessUtf8(file.bytes)) return file.text;
    fs.mkdirSync(openLinks, { recursive: true });
    const dir = fs.mkdtempSync(path.join(openLinks, `${photoId}-`));
    const link = path.join(dir, sanitizeName(path.basename(file.text), 'file'));
    fs.symlinkSync(file.bytes, link);
    return link;
  }

  async function openWithSystem(target: string, reveal: boolean): Promise<boolean> {
    if (reveal && opts.shell?.revealPath) return opts.shell.revealPath(target);
    if (!reveal && opts.shell?.openPath) return opts.shell.openPath(target);
    // Browser mode runs on the user's own machine: the OS opener shows the folder or photo there.
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    const arg = reveal && process.platform !== 'win32' ? (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory() ? target : path.dirname(target)) : target;
    return new Promise((resolve) => execFile(opener, [arg], (err) => resolve(!err)));
  }

  const impl: { [M in MethodName]: (args: ArgsOf<M>) => Promise<Results[M]> } = {
    async getCapabilities(): Promise<Capabilities> {
      return {
        platform: opts.platform,
        version: VERSION,
        backends: backends(),
        activeBackend: ml.backend,
        backbones: await listBackbones(opts.paths.modelsDir),
        canRevealInFileManager: true,
        canShowFolderDialog: Boolean(opts.shell?.showFolderDialog),
      };
    },
    async getSettings() {
      return readSettings(db);
    },
    async updateSettings(args) {
      if (args.backbone !== undefined && !knownBackbone(args.backbone)) {
        throw new ApiError('bad_request', `unknown backbone ${args.backbone}`);
      }
      writeSettings(db, args);
      return readSettings(db);
    },
    async listLibraries() {
      return q.listLibraries(db);
    },
    async addLibrary({ root }) {
      let real: string;
      try {
        real = await checkScanRoot(root.startsWith('~') ? path.join(os.homedir(), root.slice(1)) : root);
      } catch (err) {
        if (err instanceof ScanRootError) throw new ApiError('bad_request', err.message);
        throw err;
      }
      const lib = getOrCreateLibrary(db, real);
      changed(lib.id, ['library']);
      return q.getLibrary(db, lib.id);
    },
    async removeLibrary({ libraryId }) {
      const active = jobs.list({ libraryId }).filter((j) => j.state === 'running' || j.state === 'queued');
      // Naming the groups is the app's own work, seconds long, queued by the last edit: it need not stand in the way.
      const naming = active.filter((j) => j.kind === 'names');
      if (naming.length < active.length) throw new ApiError('conflict', 'stop the running jobs of this library first');
      // Only a job this process runs can be waited for: one another process (a CLI command) runs ends there.
      const here = naming.filter((j) => j.state === 'queued' || jobs.runsHere(j.id));
      for (const j of naming) jobs.cancel(j.id);
      await Promise.all(here.map((j) => jobs.wait(j.id)));
      // Only PhotoCluster's records go; the photos themselves are never touched.
      return { removed: deleteLibrary(db, libraryId) };
    },
    async getLibrary({ libraryId }) {
      return q.getLibrary(db, libraryId);
    },
    async listScanErrors({ libraryId, offset, limit }) {
      return q.listScanErrors(db, libraryId, offset, limit);
    },
    async browseFolders({ path: p }) {
      return browseFolders(folderRoot, p);
    },
    async showFolderDialog({ title }) {
      if (!opts.shell?.showFolderDialog) throw new ApiError('unsupported', 'there is no native folder dialog in browser mode; use the folder browser');
      return { path: await opts.shell.showFolderDialog(title) };
    },
    async scanLibrary({ libraryId }) {
      q.getLibrary(db, libraryId);
      return jobs.enqueue('scan', libraryId, { libraryId });
    },
    async startClustering(args) {
      q.getLibrary(db, args.libraryId);
      const s = readSettings(db);
      return jobs.enqueue('cluster', args.libraryId, {
        libraryId: args.libraryId,
        k: args.k ?? s.k,
        mode: args.mode ?? s.mode,
        backbone: args.backbone ?? s.backbone,
        backend: args.backend ?? s.backend,
        epochs: args.epochs ?? s.epochs,
        seed: args.seed ?? 1,
      });
    },
    async listJobs({ libraryId, limit }) {
      return jobs.list({ libraryId, limit });
    },
    async getJob({ jobId }) {
      return jobs.get(jobId);
    },
    async cancelJob({ jobId }) {
      return jobs.cancel(jobId);
    },
    async resumeJob({ jobId }) {
      return jobs.resume(jobId);
    },
    async listRuns({ libraryId }) {
      const runs = q.listRuns(db, libraryId);
      const training = jobs.list({ libraryId, limit: 20 }).find((j) => j.kind === 'cluster' && j.state === 'running');
      return training ? [unfinishedRun(training, jobs.args(training.id, 'cluster'), epochsOfJob(db, training.id)), ...runs] : runs;
    },
    async listClusters({ libraryId, includeHidden }) {
      return q.listClusters(db, libraryId, includeHidden);
    },
    async listPhotos(args) {
      return q.listPhotos(db, args);
    },
    async getPhoto({ photoId }) {
      return q.getPhoto(db, photoId);
    },
    async getEmbeddings({ libraryId }) {
      return q.getEmbeddings(db, libraryId);
    },
    async listNearDuplicates({ libraryId, maxDistance }) {
      q.getLibrary(db, libraryId);
      return nearDuplicateGroups(db, opts.paths.cacheDir, libraryId, maxDistance);
    },
    async renameCluster({ clusterId, name }) {
      return editResult(editor.rename(clusterId, name));
    },
    async movePhotos({ photoIds, to }) {
      return editResult(editor.move(photoIds, to));
    },
    async mergeClusters({ clusterIds, name }) {
      return editResult(editor.merge(clusterIds, name));
    },
    async splitCluster({ clusterId, n }) {
      return editResult(editor.split(clusterId, n, splitPartitioner));
    },
    async setClusterHidden({ clusterId, hidden }) {
      return editResult(editor.setHidden(clusterId, hidden));
    },
    async rejectPhotos({ clusterId, photoIds }) {
      return editResult(editor.reject(clusterId, photoIds));
    },
    async acceptPhotos({ photoIds }) {
      return editResult(editor.accept(photoIds));
    },
    async undo({ libraryId }) {
      q.getLibrary(db, libraryId);
      return editResult({ edit: editLog.undo(libraryId), createdClusterIds: [], libraryId });
    },
    async redo({ libraryId }) {
      q.getLibrary(db, libraryId);
      return editResult({ edit: editLog.redo(libraryId), createdClusterIds: [], libraryId });
    },
    async listHistory({ libraryId, limit }) {
      q.getLibrary(db, libraryId);
      return editLog.history(libraryId, limit);
    },
    async previewExport(args) {
      return (await planLibraryExport(db, args)).preview;
    },
    async startExport(args) {
      // Plan first so that a bad destination or an unknown group is refused now, not in a failed job later.
      const { preview } = await planLibraryExport(db, args);
      if (!preview.fits) throw new ApiError('conflict', `not enough free space at ${preview.destination}`);
      return jobs.enqueue('export', args.libraryId, args);
    },
    async revealExport({ jobId }) {
      const job = jobs.get(jobId);
      if (job.kind !== 'export') throw new ApiError('bad_request', `job ${jobId} is not an export`);
      const { destination } = jobs.args(jobId, 'export');
      return { opened: await openWithSystem(destination, true) };
    },
    async openPhoto({ photoId }) {
      return { opened: await openWithSystem(openablePath(photoId), false) };
    },
  };

  if (opts.nameDueGroupsAtStart) for (const lib of q.listLibraries(db)) await nameChangedGroups(lib.id);

  // Every entry point validates: the CLI and tests call the same object the transports do.
  const api = {} as Service;
  for (const name of Object.keys(impl) as MethodName[]) {
    // async, so that invalid arguments reject like every other failure instead of throwing at the call.
    (api as unknown as Record<string, unknown>)[name] = async (args: ArgsIn<typeof name>) => {
      const valid = validateArgs(name, args);
      return (impl[name] as (a: unknown) => Promise<unknown>)(valid);
    };
  }
  api.on = (event, listener) => events.on(event, listener);
  api.media = createMediaSource({ db, cacheDir: opts.paths.cacheDir });
  api.close = async () => {
    await jobs.shutdown();
    mlHost.stop();
    db.close();
  };
  return api;
}

