// The real service end to end: scan a folder of CIFAR-10 images, cluster it in the ML worker process (fine-tune
// mode with automatic and fixed K, and from scratch), and read back groups, assignments, embeddings and runs from the
// database; then add photos and let the trained model place them. Backbones come from the shared models folder
// through PHOTOCLUSTER_MODELS_URL (no network). The worker runs the product's tasks, recording the guide each cluster
// task was sent (test/fixtures/recordingTasks.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { resolveDataPaths } from '../core/paths.js';
import { jobEnd } from '../core/service/jobEnd.js';
import { forkWorker } from '../core/service/mlHost.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { openDatabase } from '../core/store/db.js';
import { clusteringAccuracy } from '../core/metrics/clustering.js';
import { cifarDir } from './cifarImages.js';
import { useSharedModels } from './helpers/sharedModels.js';
import { RECEIVED_GUIDE } from './fixtures/recordingTasks.js';

const RECORDING_TASKS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recordingTasks.ts');

const CLASSES = ['airplane', 'frog', 'truck'];
const PER_CLASS = 20;

function makeFolder(root: string, first = 0, count = PER_CLASS): void {
  for (const cls of CLASSES) {
    fs.mkdirSync(path.join(root, cls), { recursive: true });
    for (let i = first; i < first + count; i++) {
      const name = `${String(i).padStart(4, '0')}.jpg`;
      fs.copyFileSync(path.join(cifarDir(), cls, name), path.join(root, cls, name));
    }
  }
}

describe('clustering through the service and its ML worker', () => {
  let dir: string;
  let folder: string;
  let service: Service;
  let libraryId: number;
  useSharedModels();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-service-cluster-'));
    folder = path.join(dir, 'photos');
    makeFolder(folder);
    service = await createService({ paths: resolveDataPaths({ db: path.join(dir, 'data', 'library.db') }), platform: 'browser', spawnWorker: () => forkWorker(RECORDING_TASKS) });
    libraryId = (await service.addLibrary({ root: folder })).id;
  });

  afterAll(async () => {
    await service?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the worker was sent as the guide for a cluster job (null when none). */
  function receivedGuide(jobId: number): { mode: string; guide: { hashes: string[]; slots: number[]; pinned: boolean[]; corrections?: unknown } | null } {
    return JSON.parse(fs.readFileSync(path.join(dir, 'data', 'runs', `job-${jobId}`, RECEIVED_GUIDE), 'utf8'));
  }

  /** Photo labels (class folder) and their group, for every photo of the library. */
  async function labelledGroups(): Promise<{ labels: number[]; groups: number[]; photos: number }> {
    const page = await service.listPhotos({ libraryId, limit: 1000 });
    const labels = page.items.map((p) => CLASSES.indexOf(p.relPath.split('/')[0]!));
    const groups = page.items.map((p) => p.clusterId ?? -1);
    return { labels, groups, photos: page.total };
  }

  it('fine-tune mode with automatic K: groups, assignments, embeddings and a stored run', async () => {
    const job = await jobEnd(service, await service.startClustering({ libraryId, mode: 'finetune', k: 'auto', backend: 'wasm', epochs: 6 }));
    expect(job.state, job.error ?? '').toBe('done');
    const result = job.result as { k: number; kSuggested: number; groups: number; photos: number };
    expect(result.photos).toBe(60);
    expect(result.kSuggested).toBe(result.k);
    expect(Math.abs(result.k - CLASSES.length)).toBeLessThanOrEqual(2);

    const runs = await service.listRuns({ libraryId });
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ mode: 'finetune', backbone: 'mobilenet_v2_1.0_224_int8_tflite', backend: 'wasm', k: result.k, kSuggested: result.k, isCurrent: true });
    expect(run.kReasoning).toMatch(/^Suggested \d+ groups/);
    expect(run.lossHistory.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const e of run.lossHistory) expect(Number.isFinite(e.loss) && e.imagesPerSecond > 0).toBe(true);

    const clusters = await service.listClusters({ libraryId, includeHidden: true });
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    expect(clusters.reduce((s, c) => s + c.size, 0)).toBe(60);
    const { labels, groups } = await labelledGroups();
    expect(groups.every((g) => g > 0)).toBe(true);
    // Airplanes, frogs and trucks are far apart in MobileNet's feature space.
    expect(clusteringAccuracy(labels, groups)).toBeGreaterThanOrEqual(0.7);

    const emb = await service.getEmbeddings({ libraryId });
    expect(emb.photoIds).toHaveLength(60);
    // MobileNetV2's pooled features are 1,280 wide.
    expect(emb.dim).toBe(1280);
    const vectors = new Float32Array(Buffer.from(emb.data, 'base64').buffer.slice(0));
    expect(vectors).toHaveLength(60 * 1280);
    // Unit-length backbone embeddings.
    const norm = Math.hypot(...vectors.subarray(0, 1280));
    expect(norm).toBeCloseTo(1, 4);

    // Features are cached per content: the photo itself only, since a head on a folder this small starts at
    // k-means and augmented views (a second backbone pass each) are computed only for large folders.
    const db = openDatabase(path.join(dir, 'data', 'library.db'));
    try {
      const rows = db.prepare(`SELECT view, COUNT(*) AS n FROM features GROUP BY view ORDER BY view`).all() as Array<{ view: number; n: number }>;
      expect(rows[0]).toEqual({ view: 0, n: 60 });
      expect(rows).toHaveLength(1);
    } finally {
      db.close();
    }
    // The first run also fetches the naming model and names the groups (core/service/groupNames.ts): 24 s alone, past
    // the default 60 s on a loaded machine.
  }, 150_000);

  it('fine-tune mode with a fixed K reuses the cached features, then places new photos without retraining', async () => {
    const job = await jobEnd(service, await service.startClustering({ libraryId, mode: 'finetune', k: 3, backend: 'wasm', epochs: 6 }));
    expect(job.state, job.error ?? '').toBe('done');
    const runs = await service.listRuns({ libraryId });
    expect(runs).toHaveLength(2);
    const current = runs.find((r) => r.isCurrent)!;
    expect(current).toMatchObject({ k: 3, kSuggested: null, kReasoning: null, mode: 'finetune' });
    const { labels, groups } = await labelledGroups();
    expect(new Set(groups).size).toBeLessThanOrEqual(3);
    expect(clusteringAccuracy(labels, groups)).toBeGreaterThanOrEqual(0.7);

    // Two more photos per class arrive; a scan places them with the run's model and flags them new.
    makeFolder(folder, PER_CLASS, 2);
    const scan = await jobEnd(service, await service.scanLibrary({ libraryId }));
    expect(scan.state, scan.error ?? '').toBe('done');
    expect((scan.result as { assignedNew: number }).assignedNew).toBe(6);
    const fresh = await service.listPhotos({ libraryId, filter: 'new', limit: 100 });
    expect(fresh.total).toBe(6);
    for (const p of fresh.items) {
      expect(p.clusterId).not.toBeNull();
      expect(p.confidence).toBeGreaterThan(0);
    }
    expect((await service.listRuns({ libraryId })).length).toBe(2);
  });

  it('a cancelled fine-tune job resumes from its checkpoint', async () => {
    const epochs: Array<{ jobId: number; epoch: number }> = [];
    const off = service.on('trainingEpoch', (e) => epochs.push({ jobId: e.jobId, epoch: e.stats.epoch }));
    try {
      const started = await service.startClustering({ libraryId, mode: 'finetune', k: 3, backend: 'wasm', epochs: 30, seed: 7 });
      const cancelAfterTwo = service.on('trainingEpoch', (e) => {
        if (e.jobId === started.id && e.stats.epoch === 2) void service.cancelJob({ jobId: started.id });
      });
      const cancelled = await jobEnd(service, started);
      cancelAfterTwo();
      expect(cancelled.state).toBe('cancelled');
      const checkpoint = path.join(dir, 'data', 'runs', `job-${started.id}`, 'train', 'checkpoint.json');
      expect(fs.existsSync(checkpoint)).toBe(true);
      const before = epochs.filter((e) => e.jobId === started.id).map((e) => e.epoch);
      expect(before.length).toBeGreaterThanOrEqual(2);
      expect(before.length).toBeLessThan(30);

      const resumed = await jobEnd(service, await service.resumeJob({ jobId: started.id }));
      expect(resumed.state, resumed.error ?? '').toBe('done');
      const after = epochs.filter((e) => e.jobId === started.id).map((e) => e.epoch).slice(before.length);
      // Training went on from the checkpoint: the first epoch after resuming follows the last one before it.
      expect(after[0]).toBeGreaterThan(1);
      expect(after[0]).toBeLessThanOrEqual(before.at(-1)! + 1);
      expect(after.at(-1)).toBe(30);
      expect((await service.listRuns({ libraryId })).find((r) => r.isCurrent)).toMatchObject({ k: 3, mode: 'finetune' });
    } finally {
      off();
    }
  });

  it('group again in fine-tune mode sends the photos placed by hand to the worker, one slot per group', async () => {
    const before = await service.listPhotos({ libraryId, limit: 1000 });
    expect(before.items.every((p) => p.source !== 'user')).toBe(true);
    const [big, second] = (await service.listClusters({ libraryId, includeHidden: true })).sort((a, b) => b.size - a.size);
    const first = (cls: string, n: number) => before.items.filter((p) => p.relPath.startsWith(`${cls}/`)).slice(0, n).map((p) => p.id);
    // Four airplanes moved to the largest group and three frogs to the next, by hand; two trucks kept in Review.
    await service.movePhotos({ photoIds: first('airplane', 4), to: { clusterId: big!.id } });
    await service.movePhotos({ photoIds: first('frog', 3), to: { clusterId: second!.id } });
    await service.acceptPhotos({ photoIds: first('truck', 2) });
    const placed = (await service.listPhotos({ libraryId, limit: 1000 })).items.filter((p) => p.source === 'user');
    expect(placed).toHaveLength(9);
    // The guide is the library's groups as they are now, by content, with the placed photos marked.
    const now = (await service.listPhotos({ libraryId, limit: 1000 })).items.filter((p) => p.clusterId !== null);
    const groups = [...new Set(now.map((p) => p.clusterId!))].sort((a, b) => a - b);
    const entries = await Promise.all(now.map(async (p) => ({ hash: (await service.getPhoto({ photoId: p.id })).sha256!, slot: groups.indexOf(p.clusterId!), pinned: p.source === 'user' })));
    entries.sort((a, b) => (a.hash < b.hash ? -1 : 1));

    const job = await jobEnd(service, await service.startClustering({ libraryId, mode: 'finetune', k: 3, backend: 'wasm', epochs: 2 }));
    expect(job.state, job.error ?? '').toBe('done');
    // With what the user found wrong of the last run's expected mistakes: the photos now in another group than it gave
    // them (a photo moved to the group it was already in, or kept, found nothing), out of every photo it placed.
    const foundWrong = before.items.filter((p) => placed.some((q) => q.id === p.id && q.clusterId !== p.clusterId)).length;
    expect(foundWrong).toBeGreaterThan(0);
    const doubt = (photos: typeof before.items) => expect.closeTo(photos.reduce((sum, p) => sum + (1 - p.confidence!), 0), 4);
    const decided = before.items.filter((p) => placed.some((q) => q.id === p.id));
    const corrections = { untouched: before.items.length - 9, untouchedDoubt: doubt(before.items.filter((p) => !decided.includes(p))), foundWrong, kept: 9 - foundWrong, decidedDoubt: doubt(decided) };
    expect(receivedGuide(job.id)).toEqual({ mode: 'finetune', guide: { hashes: entries.map((e) => e.hash), slots: entries.map((e) => e.slot), pinned: entries.map((e) => e.pinned), corrections } });
    // The run learned from them, and says so with the run.
    const current = (await service.listRuns({ libraryId })).find((r) => r.isCurrent)!;
    expect(current.learnedFrom).toEqual({ photos: 9, groups: new Set(placed.map((p) => p.clusterId)).size });
    expect(current.partitionNote).toMatch(/9 photos you placed by hand/);
    // And the placed photos stay where they were put.
    const after = new Map((await service.listPhotos({ libraryId, limit: 1000 })).items.map((p) => [p.id, p.clusterId]));
    for (const p of placed) expect(after.get(p.id)).toBe(p.clusterId);
  });

  it('scratch mode trains the paper network in the worker', async () => {
    const job = await jobEnd(service, await service.startClustering({ libraryId, mode: 'scratch', k: 3, backend: 'wasm', epochs: 2 }));
    expect(job.state, job.error ?? '').toBe('done');
    // The photos placed by hand before are not sent: training from scratch does not learn from them.
    expect(receivedGuide(job.id)).toEqual({ mode: 'scratch', guide: null });
    const current = (await service.listRuns({ libraryId })).find((r) => r.isCurrent)!;
    expect(current).toMatchObject({ mode: 'scratch', backbone: null, k: 3, kSuggested: null });
    expect(current.lossHistory).toHaveLength(2);
    expect(current.config).toMatchObject({ mode: 'scratch', inputSize: 32 });
    const emb = await service.getEmbeddings({ libraryId });
    expect(emb.photoIds).toHaveLength(66);
    expect(emb.dim).toBe(3);
    const { groups, photos } = await labelledGroups();
    expect(photos).toBe(66);
    expect(groups.every((g) => g > 0)).toBe(true);
  });
});
