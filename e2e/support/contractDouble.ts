/**
 * A test double of the contract for the UI specs: an in-memory library of real CIFAR-10 images in three groups, with
 * the edits the UI makes (rename, move, merge, split, hide, reject, accept, undo/redo), history, a grouping run that
 * reports phases and epochs as the service does, and export. It is typed against the whole Api, so a method added to
 * the contract must be given here (at least as unsupported). It lives in e2e/ only; the app has no such path. It is
 * served by the real browser-mode server (core/server), so token, cookie, CSP and /thumb are the real ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ApiError,
  type Api,
  type ApiClient,
  type ClusterInfo,
  type EditInfo,
  type EditResult,
  type EventName,
  type Events,
  type JobInfo,
  type JobPhase,
  type PhotoInfo,
  type Settings,
} from '../../core/api.js';
import { sharedDir } from '../../core/paths.js';
import type { MediaSource } from '../../core/server/server.js';

interface State {
  clusters: Array<Omit<ClusterInfo, 'size' | 'meanConfidence' | 'coverPhotoIds'>>;
  assign: Map<number, { clusterId: number | null; confidence: number; source: 'model' | 'user' }>;
}

const CLASSES = ['airplane', 'frog', 'ship'];
/** What the service's naming step would suggest for each class's group (the classifier's everyday words). */
const SUGGESTED: Record<string, string> = { airplane: 'Planes', frog: 'Frogs', ship: 'Boats and ships' };

/** `perClass` and `classes` size the library (bench/renderer.ts measures the gallery on 20,000 photos). */
export function contractDouble(opts: { perClass?: number; classes?: readonly string[] } = {}) {
  const perClass = opts.perClass ?? 20;
  const classes = opts.classes ?? CLASSES;
  const root = path.join(sharedDir(), 'datasets', 'cifar10-test');
  const libraryId = 1;
  const photos: Array<PhotoInfo & { file: string }> = [];
  classes.forEach((cls, c) => {
    for (let i = 0; i < perClass; i++) {
      // The dataset has 1,000 images per class; bigger libraries reuse them under their own ids.
      const name = `${String(i % 1000).padStart(4, '0')}.jpg`;
      const id = photos.length + 1;
      // Confidence falls within each class so "unsure" and sorting have something to show.
      photos.push({ id, name: `${cls}-${String(i).padStart(5, '0')}.jpg`, relPath: `${cls}/${name}`, width: 32, height: 32, takenAt: null, clusterId: c + 1, confidence: 0.95 - (i % 20) * 0.03, source: 'model', isNew: false, status: 'ok', file: path.join(root, cls, name) });
    }
  });
  let state: State = {
    clusters: classes.map((cls, c) => ({ id: c + 1, libraryId, name: `Group ${c + 1}`, hidden: false, userNamed: false, suggestedName: SUGGESTED[cls] ?? null })),
    assign: new Map(photos.map((p) => [p.id, { clusterId: p.clusterId, confidence: p.confidence!, source: 'model' as const }])),
  };
  let nextClusterId = classes.length + 1;
  let nextJobId = 3;
  const undoStack: Array<{ before: State; edit: EditInfo }> = [];
  const redoStack: Array<{ after: State; edit: EditInfo }> = [];
  const history: EditInfo[] = [];
  let settings: Settings = { k: 'auto', mode: 'finetune', backbone: 'mobilenet_v1_0.75_224', backend: 'auto', epochs: null };
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const emit = <E extends EventName>(event: E, payload: Events[E]) => listeners.get(event)?.forEach((l) => l(payload));
  const clone = (s: State): State => ({ clusters: s.clusters.map((c) => ({ ...c })), assign: new Map([...s.assign].map(([k, v]) => [k, { ...v }])) });

  const photoNow = (p: (typeof photos)[number]): PhotoInfo => {
    const a = state.assign.get(p.id)!;
    const { file: _file, ...info } = p;
    return { ...info, clusterId: a.clusterId, confidence: a.confidence, source: a.source };
  };
  const clustersNow = (): ClusterInfo[] =>
    state.clusters.map((c) => {
      const members = photos.filter((p) => state.assign.get(p.id)!.clusterId === c.id);
      const conf = members.map((p) => state.assign.get(p.id)!.confidence);
      return { ...c, suggestedName: c.userNamed ? null : c.suggestedName, size: members.length, meanConfidence: conf.length ? conf.reduce((a, b) => a + b, 0) / conf.length : null, coverPhotoIds: members.slice(0, 4).map((p) => p.id) };
    }).filter((c) => c.size > 0 || !c.name.startsWith('New group'));
  const cluster = (id: number) => {
    const c = state.clusters.find((x) => x.id === id);
    if (!c) throw new ApiError('not_found', `no group ${id}`);
    return c;
  };

  function edit(kind: EditInfo['kind'], description: string, change: () => number[]): EditResult {
    const before = clone(state);
    const created = change();
    const info: EditInfo = { id: history.length + 1, libraryId, kind, description, createdAt: new Date().toISOString(), undone: false };
    // A new edit drops the redo branch, as an editor would.
    for (const r of redoStack.splice(0)) history.splice(history.indexOf(r.edit), 1);
    history.unshift(info);
    undoStack.push({ before, edit: info });
    emit('libraryChanged', { libraryId, parts: ['clusters', 'photos', 'history'] });
    return { edit: info, clusters: clustersNow(), createdClusterIds: created };
  }

  const job = (kind: JobInfo['kind'], state: JobInfo['state'], extra: Partial<JobInfo> = {}): JobInfo => ({
    id: nextJobId++,
    libraryId,
    kind,
    state,
    progress: null,
    result: null,
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    finishedAt: state === 'done' ? new Date().toISOString() : null,
    ...extra,
  });
  const jobs: JobInfo[] = [
    { ...job('cluster', 'done'), id: 2, progress: { phase: 'assign', done: 60, total: 60, etaSeconds: 0, message: null } },
    { ...job('scan', 'done'), id: 1 },
  ];
  const scanErrors = [
    { photoId: null, path: 'broken.jpg', reason: 'not an image: unsupported or corrupt file' },
    { photoId: null, path: 'truncated.jpg', reason: 'premature end of JPEG data' },
    { photoId: null, path: 'notes.png', reason: 'not an image: unsupported or corrupt file' },
  ];
  const libraryRoot = path.join(root, '..', 'fixture');
  let lastScanAt = '2026-01-01T10:00:00Z';

  /** Runs a job through its phases with progress events, then applies its result. */
  function runJob(j: JobInfo, phases: Array<{ phase: JobPhase; steps: number; onStep?: (i: number) => void; message?: (i: number) => string }>, finish: () => unknown): void {
    const tick = (pi: number, i: number) => {
      const ph = phases[pi];
      if (!ph) {
        Object.assign(j, { state: 'done', finishedAt: new Date().toISOString(), result: finish() ?? null });
        emit('job', { ...j });
        emit('libraryChanged', { libraryId, parts: ['library', 'photos', 'clusters', 'runs'] });
        return;
      }
      j.progress = { phase: ph.phase, done: i, total: ph.steps, etaSeconds: (ph.steps - i) * 0.1, message: ph.message?.(i) ?? null };
      ph.onStep?.(i);
      emit('job', { ...j });
      setTimeout(() => (i >= ph.steps ? tick(pi + 1, 0) : tick(pi, i + 1)), 60);
    };
    j.state = 'running';
    emit('job', { ...j });
    setTimeout(() => tick(0, 0), 50);
  }

  // The library has no folder on disk: a re-scan finds nothing new (what the service's scan job returns then).
  const scanFolder = () => {
    lastScanAt = new Date().toISOString();
    const errors = scanErrors.map(({ path: p, reason }) => ({ path: p, reason }));
    return { scanned: photos.length + errors.length, added: 0, changed: 0, moved: 0, missing: 0, duplicates: 0, failed: errors.length, errors, library: libraryId, seconds: 0.3, assignedNew: 0 };
  };
  function groupByPrefix(): void {
    const prefixes = [...new Set(photos.map((p) => p.name.split('-')[0]!))].sort();
    photos.forEach((p, i) => {
      const a = state.assign.get(p.id)!;
      if (a.source === 'user') return;
      const c = state.clusters[prefixes.indexOf(p.name.split('-')[0]!)];
      state.assign.set(p.id, { clusterId: c?.id ?? null, confidence: 0.99 - (i % 20) * 0.03, source: 'model' });
    });
  }
  const lossHistory = Array.from({ length: 12 }, (_, e) => ({
    epoch: e + 1,
    loss: 3 * Math.exp(-e / 4) + 0.4,
    pg: 1.2 * Math.exp(-e / 5),
    pl: 1 * Math.exp(-e / 3),
    pgAug: 0.8 * Math.exp(-e / 5),
    plAug: 0.6 * Math.exp(-e / 3),
    mi: -0.5 - e * 0.05,
    confidentShare: Math.min(0.95, 0.2 + e * 0.07),
    graphPositives: 200 + e * 10,
    imagesPerSecond: 17,
  }));

  const unsupported = (method: keyof Api) => async (): Promise<never> => {
    throw new ApiError('unsupported', `${method} is not part of this test double`);
  };

  const impl: Api = {
    getCapabilities: async () => ({
      platform: 'browser',
      version: '0.1.0',
      backends: [
        { name: 'tensorflow-gpu', available: false, kind: 'gpu', notes: 'no CUDA libraries found' },
        { name: 'wasm', available: true, kind: 'wasm', notes: 'with added gradient kernels' },
        { name: 'cpu', available: true, kind: 'cpu', notes: 'slow; for checks only' },
      ],
      activeBackend: 'wasm',
      backbones: [{ id: 'mobilenet_v1_0.75_224', description: 'MobileNet v1 0.75, ImageNet', inputSize: 224, bytes: 10_400_000, license: 'Apache-2.0', downloaded: true, isDefault: true, namesGroups: true }],
      canRevealInFileManager: true,
      canShowFolderDialog: false,
    }),
    getSettings: async () => settings,
    updateSettings: async (a) => {
      settings = { ...settings, ...(a as Partial<Settings>) };
      return settings;
    },
    listLibraries: async () => [await impl.getLibrary({ libraryId })],
    getLibrary: async () => {
      return { id: libraryId, root: libraryRoot, name: path.basename(libraryRoot), photoCount: photos.length, failedCount: scanErrors.length, missingCount: 0, duplicateCount: 0, lastScanAt, currentRunId: 1, clusterCount: clustersNow().length, placedByHandSinceGrouping: 0 };
    },
    addLibrary: unsupported('addLibrary'),
    removeLibrary: unsupported('removeLibrary'),
    scanLibrary: async () => {
      const j = job('scan', 'queued');
      jobs.unshift(j);
      runJob(
        j,
        [
          { phase: 'find-photos', steps: 2 },
          { phase: 'read-photos', steps: 5 },
        ],
        scanFolder,
      );
      return { ...j };
    },
    startClustering: async (a) => {
      if (a.k !== undefined) settings = { ...settings, k: a.k };
      const j = job('cluster', 'queued');
      jobs.unshift(j);
      // As the real service reports it: the scan (one job does it all now), features, training counted in steps
      // (5 per epoch), then assigning.
      const epochs = 6;
      const stepsPerEpoch = 5;
      runJob(
        j,
        [
          { phase: 'find-photos', steps: 2 },
          { phase: 'read-photos', steps: 6 },
          { phase: 'features', steps: 5 },
          {
            phase: 'train',
            steps: epochs * stepsPerEpoch,
            message: (i) => `epoch ${Math.min(epochs, Math.floor(i / stepsPerEpoch) + 1)} of ${epochs}`,
            onStep: (i) => i > 0 && i % stepsPerEpoch === 0 && emit('trainingEpoch', { jobId: j.id, libraryId, epochs, stats: { ...lossHistory[i / stepsPerEpoch - 1]!, epoch: i / stepsPerEpoch } }),
          },
          { phase: 'assign', steps: 3 },
        ],
        groupByPrefix,
      );
      return { ...j };
    },
    listScanErrors: async (a) => ({ total: scanErrors.length, items: scanErrors.slice(a.offset ?? 0, (a.offset ?? 0) + (a.limit ?? 500)) }),
    browseFolders: async (a = {}) => {
      const top = '/home/you';
      const at = a.path ?? top;
      return { path: at, parent: a.path && a.path !== top ? top : null, root: top, entries: a.path ? [] : [{ name: 'Pictures', path: '/home/you/Pictures' }] };
    },
    showFolderDialog: unsupported('showFolderDialog'),
    listJobs: async () => jobs,
    getJob: async (a) => {
      const j = jobs.find((x) => x.id === a.jobId);
      if (!j) throw new ApiError('not_found', `no job ${a.jobId}`);
      return j;
    },
    cancelJob: unsupported('cancelJob'),
    resumeJob: unsupported('resumeJob'),
    listRuns: async () => [{ id: 1, libraryId, mode: 'finetune', backbone: 'mobilenet_v1_0.75_224', backend: 'wasm', device: 'Processor (no usable graphics card: WebGPU: no graphics adapter found)', k: 3, kSuggested: 3, kReasoning: null, partitionNote: null, groupsFrom: 'network', learnedFrom: null, config: { k: 3 }, startedAt: '2026-01-01T10:00:00Z', finishedAt: '2026-01-01T10:02:00Z', seconds: 120, lossHistory, isCurrent: true }],
    listClusters: async (a) => clustersNow().filter((c) => a.includeHidden !== false || !c.hidden),
    listPhotos: async (a) => {
      let list = photos.map(photoNow);
      if (a.clusterId !== undefined) list = list.filter((p) => p.clusterId === a.clusterId);
      if (a.filter === 'unsure') list = list.filter((p) => p.source === 'model' && (p.confidence ?? 0) < 0.6);
      // As the store does: library-wide review leaves hidden groups' photos out, count included.
      if (a.filter === 'unsure' && a.clusterId === undefined) list = list.filter((p) => p.clusterId === null || !cluster(p.clusterId).hidden);
      const dir = a.order === 'asc' ? 1 : -1;
      list.sort((x, y) => (a.sort === 'name' ? x.name.localeCompare(y.name) : (x.confidence ?? 0) - (y.confidence ?? 0)) * dir || x.id - y.id);
      const offset = a.offset ?? 0;
      return { total: list.length, items: list.slice(offset, offset + (a.limit ?? 500)) };
    },
    getPhoto: async (a) => {
      const p = photos.find((x) => x.id === a.photoId);
      if (!p) throw new ApiError('not_found', `no photo ${a.photoId}`);
      return { ...photoNow(p), size: fs.statSync(p.file).size, modifiedAt: '2026-01-01T09:00:00Z', cameraMake: null, cameraModel: null, format: 'jpeg', sha256: 'ab'.repeat(32), error: null, duplicateOf: null, likelyGroups: [] };
    },
    getEmbeddings: async () => {
      const dim = 8;
      const data = new Float32Array(photos.length * dim);
      photos.forEach((p, i) => {
        const c = (p.clusterId ?? 1) - 1;
        for (let d = 0; d < dim; d++) data[i * dim + d] = (d === c ? 4 : 0) + Math.sin(i * 7.1 + d * 1.3);
      });
      return { photoIds: photos.map((p) => p.id), clusterIds: photos.map((p) => state.assign.get(p.id)!.clusterId), dim, data: Buffer.from(data.buffer).toString('base64') };
    },
    listNearDuplicates: unsupported('listNearDuplicates'),
    renameCluster: async (a) => edit('rename', `Renamed "${cluster(a.clusterId).name}" to "${a.name}"`, () => ((cluster(a.clusterId).name = a.name.trim()), (cluster(a.clusterId).userNamed = true), [])),
    movePhotos: async (a) => {
      let created: number[] = [];
      let target: number;
      if ('clusterId' in a.to) target = cluster(a.to.clusterId).id;
      else {
        target = nextClusterId++;
        created = [target];
      }
      const name = 'clusterId' in a.to ? cluster(a.to.clusterId).name : (a.to.newCluster ?? `New group ${target}`);
      return edit('move', `Moved ${a.photoIds.length} photo${a.photoIds.length === 1 ? '' : 's'} to "${name}"`, () => {
        if (created.length) state.clusters.push({ id: target, libraryId, name, hidden: false, userNamed: a.to !== undefined && 'newCluster' in a.to && !!a.to.newCluster, suggestedName: null });
        for (const id of a.photoIds) state.assign.set(id, { clusterId: target, confidence: 1, source: 'user' });
        return created;
      });
    },
    mergeClusters: async (a) => {
      const [keep, ...rest] = a.clusterIds;
      const names = a.clusterIds.map((id) => `"${cluster(id).name}"`).join(', ');
      return edit('merge', `Merged ${names}`, () => {
        for (const [id, as] of state.assign) if (rest.includes(as.clusterId!)) state.assign.set(id, { ...as, clusterId: keep! });
        state.clusters = state.clusters.filter((c) => !rest.includes(c.id));
        if (a.name) cluster(keep!).name = a.name;
        return [];
      });
    },
    splitCluster: async (a) =>
      edit('split', `Split "${cluster(a.clusterId).name}" into ${a.n}`, () => {
        const members = [...state.assign].filter(([, v]) => v.clusterId === a.clusterId).map(([k]) => k);
        const ids = Array.from({ length: a.n - 1 }, () => nextClusterId++);
        ids.forEach((id, i) => state.clusters.push({ id, libraryId, name: `${cluster(a.clusterId).name} (${i + 2})`, hidden: false, userNamed: false, suggestedName: null }));
        members.forEach((pid, i) => {
          const part = i % a.n;
          if (part > 0) state.assign.set(pid, { ...state.assign.get(pid)!, clusterId: ids[part - 1]! });
        });
        return ids;
      }),
    setClusterHidden: async (a) => edit('hide', `${a.hidden ? 'Hid' : 'Showed'} "${cluster(a.clusterId).name}"`, () => ((cluster(a.clusterId).hidden = a.hidden), [])),
    rejectPhotos: async (a) => edit('reject', `${a.photoIds.length} not in "${cluster(a.clusterId).name}"`, () => (a.photoIds.forEach((id) => state.assign.set(id, { clusterId: null, confidence: 0, source: 'user' })), [])),
    acceptPhotos: async (a) => edit('accept', `Kept ${a.photoIds.length} where they are`, () => (a.photoIds.forEach((id) => state.assign.set(id, { ...state.assign.get(id)!, confidence: 1, source: 'user' })), [])),
    undo: async () => {
      const last = undoStack.pop();
      if (!last) return { edit: null, clusters: clustersNow(), createdClusterIds: [] };
      redoStack.push({ after: clone(state), edit: last.edit });
      state = last.before;
      last.edit.undone = true;
      emit('libraryChanged', { libraryId, parts: ['clusters', 'photos', 'history'] });
      return { edit: last.edit, clusters: clustersNow(), createdClusterIds: [] };
    },
    redo: async () => {
      const next = redoStack.pop();
      if (!next) return { edit: null, clusters: clustersNow(), createdClusterIds: [] };
      undoStack.push({ before: clone(state), edit: next.edit });
      state = next.after;
      next.edit.undone = false;
      emit('libraryChanged', { libraryId, parts: ['clusters', 'photos', 'history'] });
      return { edit: next.edit, clusters: clustersNow(), createdClusterIds: [] };
    },
    listHistory: async () => ({ entries: history, canUndo: undoStack.length > 0, canRedo: redoStack.length > 0 }),
    previewExport: async (a) => {
      const groups = clustersNow()
        .filter((c) => a.clusterIds.includes(c.id))
        .map((c) => ({ clusterId: c.id, name: c.name, folder: path.join(a.destination, c.name), files: c.size, bytes: c.size * 2500 }));
      const bytes = groups.reduce((n, g) => n + g.bytes, 0);
      return { destination: a.destination, mode: a.mode ?? 'copy', groups, files: groups.reduce((n, g) => n + g.files, 0), alreadyThere: 0, bytes, bytesNeeded: bytes, freeBytes: 50e9, fits: true, problems: [] };
    },
    startExport: async (a) => {
      const files = clustersNow().filter((c) => a.clusterIds.includes(c.id)).reduce((n, c) => n + c.size, 0);
      const j = job('export', 'running', { progress: { phase: 'export', done: 0, total: files, etaSeconds: 2, message: null } });
      jobs.unshift(j);
      setTimeout(() => {
        Object.assign(j, { state: 'done', finishedAt: new Date().toISOString(), progress: { phase: 'export', done: files, total: files, etaSeconds: 0, message: null }, result: { exported: files, alreadyThere: 0, skipped: 0, bytes: files * 2500, manifest: path.join(a.destination, 'photocluster-manifest.json') } });
        emit('job', { ...j });
      }, 300);
      return { ...j };
    },
    revealExport: async () => ({ opened: true }),
    openPhoto: unsupported('openPhoto'),
  };

  const on: ApiClient['on'] = (event, listener) => {
    let s = listeners.get(event);
    if (!s) listeners.set(event, (s = new Set()));
    const l = listener as (p: unknown) => void;
    s.add(l);
    return () => void s!.delete(l);
  };
  const media: MediaSource = {
    thumbnailFile: async (id) => photos.find((p) => p.id === id)?.file ?? null,
    previewImage: async (id) => {
      const p = photos.find((x) => x.id === id);
      return p ? { body: fs.readFileSync(p.file), contentType: 'image/jpeg' } : null;
    },
  };
  const api: ApiClient = { ...impl, on };
  return { api, media };
}
