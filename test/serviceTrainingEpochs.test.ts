/**
 * The loss chart of a run still training comes back after the window reloads: the service records each epoch as it
 * ends and lists the unfinished run with them. The ML worker is a stand-in that trains three epochs and waits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDataPaths } from '../core/paths.js';
import { jobEnd } from '../core/service/jobEnd.js';
import { forkWorker } from '../core/service/mlHost.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';
import { epochStats } from './fixtures/epochTasks.js';
import { makeJpeg, writeFixture } from './fixtures/images.js';

const TASKS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'epochTasks.ts');

describe('training epochs of an unfinished run', () => {
  let tmp: string;
  let service: Service;
  let libraryId: number;

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-epochs-')));
    const folder = path.join(tmp, 'photos');
    for (let i = 0; i < 4; i++) writeFixture(folder, `p${i}.jpg`, await makeJpeg({ width: 64, height: 48, seed: 40 + i }));
    service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser', spawnWorker: () => forkWorker(TASKS) });
    libraryId = (await service.addLibrary({ root: folder })).id;
  });
  afterAll(async () => {
    await service.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('are listed with the run while it trains, and the run is gone from the list once the job stops', async () => {
    const three = new Promise<void>((resolve) => {
      const off = service.on('trainingEpoch', (e) => {
        if (e.stats.epoch === 3) {
          off();
          resolve();
        }
      });
    });
    // Nothing has run on the ML worker yet, so no backend is in use (not the last recorded run's).
    expect((await service.getCapabilities()).activeBackend).toBeNull();
    const job = await service.startClustering({ libraryId, mode: 'scratch', k: 2, epochs: 12 });
    await three;

    // What a reloaded window asks for: the epochs so far, with the run they belong to.
    const [run, ...finished] = await service.listRuns({ libraryId });
    expect(finished).toEqual([]);
    expect(run).toMatchObject({ id: 0, libraryId, mode: 'scratch', k: 2, finishedAt: null, isCurrent: false });
    expect(run!.lossHistory).toEqual([1, 2, 3].map(epochStats));

    await service.cancelJob({ jobId: job.id });
    expect((await jobEnd(service, job)).state).toBe('cancelled');
    expect(await service.listRuns({ libraryId })).toEqual([]);
  }, 60_000);
});
