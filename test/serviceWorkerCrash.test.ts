/**
 * A TF.js crash or an out-of-memory kill takes down only the ML worker: the running job fails with the reason, the
 * service stays up, and the next job gets a fresh worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../core/api.js';
import { followJob } from '../core/cli/serviceSession.js';
import { resolveDataPaths, sharedDir } from '../core/paths.js';
import { createService } from '../core/service/service.js';
import type { Service } from '../core/service/types.js';

/** Child processes of this process whose command line mentions `needle` (Linux /proc). */
function childPids(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe.runIf(process.platform === 'linux')('ML worker crash', () => {
  let tmp: string;
  let service: Service;
  let libraryId: number;

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-crash-')));
    const folder = path.join(tmp, 'photos');
    fs.mkdirSync(folder);
    for (const cls of ['cat', 'truck']) {
      for (let i = 0; i < 12; i++) {
        const name = `${String(i).padStart(4, '0')}.jpg`;
        fs.copyFileSync(path.join(sharedDir(), 'datasets', 'cifar10-test', cls, name), path.join(folder, `${cls}-${name}`));
      }
    }
    service = await createService({ paths: resolveDataPaths({ db: path.join(tmp, 'data', 'library.db') }), platform: 'browser' });
    libraryId = (await service.addLibrary({ root: folder })).id;
  });
  afterAll(async () => {
    await service.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('fails the job with the reason, keeps the service up, and runs the next job on a new worker', async () => {
    let killed: number | null = null;
    const stop = service.on('job', (j: JobInfo) => {
      if (killed !== null || j.state !== 'running' || !/train|epoch/i.test(j.progress?.phase ?? '')) return;
      const [pid] = childPids('mlWorker');
      if (pid === undefined) return;
      killed = pid;
      process.kill(pid, 'SIGKILL');
    });
    const job = await service.startClustering({ libraryId, mode: 'scratch', k: 2, epochs: 50 });
    await expect(followJob(service, job, true)).rejects.toThrow(/ML worker stopped unexpectedly.*SIGKILL/);
    stop();
    expect(killed).not.toBeNull();
    expect(await service.getJob({ jobId: job.id })).toMatchObject({ state: 'failed' });
    // The service still answers, and the next job runs to the end on a fresh worker.
    expect((await service.listLibraries()).map((l) => l.id)).toEqual([libraryId]);
    const next = await followJob(service, await service.startClustering({ libraryId, mode: 'scratch', k: 2, epochs: 1 }), true);
    expect(next.state).toBe('done');
    expect(childPids('mlWorker')).not.toContain(killed);
    // Every photo is in a group of the new run (one epoch may leave one of the two outputs empty).
    expect((await service.listClusters({ libraryId })).reduce((n, c) => n + c.size, 0)).toBe(24);
  }, 240_000);
});
