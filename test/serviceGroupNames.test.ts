// Suggested group names through the real service: a folder of real clothing photos (two kinds) is grouped in the ML
// worker, and the naming step runs the real MobileNet v1 classifier from the shared models folder (through
// PHOTOCLUSTER_MODELS_URL, as a download would) on the groups' cached thumbnails. The photos are copied into a
// temporary folder for the run, never into the repository.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, JobPhase } from '../core/api.js';
import { resolveDataPaths, sharedDir } from '../core/paths.js';
import { jobEnd } from '../core/service/jobEnd.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { useSharedModels } from './helpers/sharedModels.js';
import { openDatabase } from '../core/store/db.js';
import { insertJob, markJobRunning } from '../core/store/jobs.js';

const KINDS = ['shoes', 'hat'];
const PER_KIND = 10;
/** What a person would accept as the name of a group of each kind, or of both (bench/names.ts). */
const SENSIBLE = ['Shoes', 'Hats', 'Clothes'];

describe('suggested group names with the real classifier', () => {
  let dir: string;
  let service: Service;
  let libraryId: number;
  useSharedModels();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-service-names-'));
    const folder = path.join(dir, 'photos');
    for (const kind of KINDS) {
      const from = path.join(sharedDir(), 'datasets', 'clothing-photos', kind);
      fs.mkdirSync(path.join(folder, kind), { recursive: true });
      for (const name of fs.readdirSync(from).sort().slice(0, PER_KIND)) fs.copyFileSync(path.join(from, name), path.join(folder, kind, name));
    }
    service = await createService({ paths: resolveDataPaths({ db: path.join(dir, 'data', 'library.db') }), platform: 'browser' });
    libraryId = (await service.addLibrary({ root: folder })).id;
  });

  afterAll(async () => {
    await service?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the groups of a grouping run sensibly, after the groups are written', async () => {
    const phases: JobPhase[] = [];
    const off = service.on('job', (j) => {
      if (j.progress && phases.at(-1) !== j.progress.phase) phases.push(j.progress.phase);
    });
    const job = await jobEnd(service, await service.startClustering({ libraryId, mode: 'finetune', k: 2, epochs: 2 }));
    off();
    expect(job.state, job.error ?? '').toBe('done');
    expect(phases.at(-1)).toBe('name-groups');

    const clusters = await service.listClusters({ libraryId, includeHidden: true });
    const names = clusters.map((c) => c.suggestedName);
    expect(names.some((n) => n !== null), `suggestions: ${JSON.stringify(names)}`).toBe(true);
    for (const n of names) if (n !== null) expect(SENSIBLE).toContain(n);

    // Taking the suggestion is an ordinary rename: the group keeps the name and shows no suggestion any more.
    const named = clusters.find((c) => c.suggestedName)!;
    await service.renameCluster({ clusterId: named.id, name: named.suggestedName! });
    const after = (await service.listClusters({ libraryId, includeHidden: true })).find((c) => c.id === named.id)!;
    expect(after).toMatchObject({ name: named.suggestedName, userNamed: true, suggestedName: null });
  }, 300_000);

  it('suggests the names again when Re-scan places new photos in the groups', async () => {
    // Undo the rename (both groups unnamed again), then forget the suggestions and the photos they were read from, as if
    // the groups had never been named.
    await service.undo({ libraryId });
    expect((await service.listClusters({ libraryId, includeHidden: true })).some((c) => c.suggestedName !== null)).toBe(true);
    const db = new Database(path.join(dir, 'data', 'library.db'));
    db.prepare('DELETE FROM group_name_suggestions').run();
    db.prepare('DELETE FROM group_name_samples').run();
    db.close();
    expect((await service.listClusters({ libraryId, includeHidden: true })).every((c) => c.suggestedName === null)).toBe(true);
    for (const kind of KINDS) {
      const from = path.join(sharedDir(), 'datasets', 'clothing-photos', kind);
      for (const name of fs.readdirSync(from).sort().slice(PER_KIND, PER_KIND + 3)) fs.copyFileSync(path.join(from, name), path.join(dir, 'photos', kind, name));
    }
    const phases: JobPhase[] = [];
    const off = service.on('job', (j) => {
      if (j.progress && phases.at(-1) !== j.progress.phase) phases.push(j.progress.phase);
    });
    const job = await jobEnd(service, await service.scanLibrary({ libraryId }));
    off();
    expect(job.state, job.error ?? '').toBe('done');
    expect(phases).toContain('name-groups');
    const clusters = await service.listClusters({ libraryId, includeHidden: true });
    expect(clusters.reduce((s, c) => s + c.size, 0)).toBe(KINDS.length * (PER_KIND + 3));
    const names = clusters.map((c) => c.suggestedName);
    expect(names.some((n) => n !== null), `suggestions: ${JSON.stringify(names)}`).toBe(true);
    // Never the same name twice: a word two groups share is numbered for the second ("Clothes 2").
    for (const n of names) if (n !== null) expect(SENSIBLE).toContain(n.replace(/ \d+$/, ''));
    expect(new Set(names.filter((n) => n !== null)).size).toBe(names.filter((n) => n !== null).length);
  }, 300_000);

  it("names a split's new groups in a naming job queued by the split, and the other groups keep their names", async () => {
    const before = await service.listClusters({ libraryId, includeHidden: true });
    // The group with a name (the classifier knows shoes, not caps and beanies): its parts have a name to find.
    const named = before.find((c) => c.suggestedName !== null)!;
    const others = before.filter((c) => c.id !== named.id).map((c) => [c.id, c.suggestedName]);
    const { createdClusterIds } = await service.splitCluster({ clusterId: named.id, n: 2 });
    const naming = (await service.listJobs({ libraryId })).find((j) => j.kind === 'names');
    expect(naming?.state).toMatch(/queued|running/);
    expect((await jobEnd(service, naming!)).state).toBe('done');

    const after = await service.listClusters({ libraryId, includeHidden: true });
    const part = after.find((c) => c.id === createdClusterIds[0])!;
    expect(part.suggestedName, `suggestions: ${JSON.stringify(after.map((c) => c.suggestedName))}`).not.toBeNull();
    expect(SENSIBLE).toContain(part.suggestedName!.replace(/ \d+$/, ''));
    expect(after.filter((c) => c.id !== named.id && c.id !== part.id).map((c) => [c.id, c.suggestedName])).toEqual(others);
    const names = after.map((c) => c.suggestedName).filter((n) => n !== null);
    expect(new Set(names).size).toBe(names.length);

    // Merged back, the group is named again; the job list keeps only the newest naming job beside the grouping's.
    await service.mergeClusters({ clusterIds: [named.id, part.id] });
    const again = (await service.listJobs({ libraryId })).find((j) => j.kind === 'names' && j.id !== naming!.id)!;
    expect((await jobEnd(service, again)).state).toBe('done');
    expect((await service.listJobs({ libraryId })).map((j) => j.kind)).toEqual(['names', 'scan', 'cluster']);
    const merged = (await service.listClusters({ libraryId, includeHidden: true })).find((c) => c.id === named.id)!;
    expect(merged.suggestedName).toBe(named.suggestedName);

    // A rename changes no group's photos: no naming job follows it.
    const jobsBefore = (await service.listJobs({ libraryId })).length;
    await service.renameCluster({ clusterId: named.id, name: 'Mine' });
    expect((await service.listJobs({ libraryId })).length).toBe(jobsBefore);
  }, 300_000);

  it('names at start the groups a naming stopped by quitting left due: in the app, not in a CLI command', async () => {
    await service.undo({ libraryId }); // the last test's rename: the shoes group is the app's to name again
    // As if the app had quit while naming: no group has a record of the photos its name was read from, nor a name.
    await service.close();
    const file = path.join(dir, 'data', 'library.db');
    const db = new Database(file);
    db.prepare('DELETE FROM group_name_samples').run();
    db.prepare('DELETE FROM group_name_suggestions').run();
    db.close();
    const active = (jobs: JobInfo[]) => jobs.filter((j) => j.kind === 'names' && (j.state === 'queued' || j.state === 'running'));
    const cli = await createService({ paths: resolveDataPaths({ db: file }), platform: 'browser' });
    expect(active(await cli.listJobs({ libraryId }))).toEqual([]);
    await cli.close();

    service = await createService({ paths: resolveDataPaths({ db: file }), platform: 'browser', nameDueGroupsAtStart: true });
    const [naming] = active(await service.listJobs({ libraryId }));
    expect(naming).toBeDefined();
    expect((await jobEnd(service, naming!)).state).toBe('done');
    const names = (await service.listClusters({ libraryId, includeHidden: true })).map((c) => c.suggestedName);
    expect(names.some((n) => n !== null), `suggestions: ${JSON.stringify(names)}`).toBe(true);
  }, 300_000);

  it('removes the library right after an edit: the naming it queued is cancelled, not in the way', async () => {
    // Another process (a CLI command on the same database) is naming the groups too: its job ends there, and removing
    // the library must not wait for it.
    const other = openDatabase(path.join(dir, 'data', 'library.db'));
    markJobRunning(other, insertJob(other, libraryId, 'names', JSON.stringify({ libraryId })), new Date().toISOString());
    other.close();
    const biggest = (await service.listClusters({ libraryId, includeHidden: true })).reduce((a, b) => (b.size > a.size ? b : a));
    await service.splitCluster({ clusterId: biggest.id, n: 2 });
    const naming = (await service.listJobs({ libraryId })).find((j) => j.kind === 'names' && (j.state === 'queued' || j.state === 'running'));
    expect(naming).toBeDefined();
    expect(await service.removeLibrary({ libraryId })).toEqual({ removed: true });
    expect(await service.listLibraries()).toEqual([]);
  }, 300_000);
});
