import { describe, expect, it } from 'vitest';
import type { EpochStats, JobInfo } from '../../../core/api.js';
import { apiDouble } from '../test/apiDouble.js';
import { makeQueryClient } from './context.js';
import { qk } from './keys.js';
import { EpochStore, invalidationsFor, invalidationsForFinishedJob, startSync } from './sync.js';

const job = (id: number, state: JobInfo['state']): JobInfo => ({ id, libraryId: 4, kind: 'cluster', state, progress: null, result: null, error: null, createdAt: '', startedAt: null, finishedAt: null });

describe('event sync', () => {
  it('maps each changed part of a library to the queries that show it', () => {
    expect(invalidationsFor({ libraryId: 4, parts: ['clusters', 'history'] })).toEqual([qk.clusters(4), qk.history(4)]);
    expect(invalidationsFor({ libraryId: 4, parts: ['photos'] })).toEqual([qk.photos(4), ['photo'], qk.embeddings(4)]);
    expect(invalidationsFor({ libraryId: 4, parts: ['library', 'library'] })).toEqual([qk.libraries, qk.library(4), ['lib', 4, 'scanErrors']]);
  });

  it('writes job events into the cache, refreshes on finish, and collects epochs', async () => {
    const api = apiDouble();
    const qc = makeQueryClient();
    const epochs = new EpochStore();
    qc.setQueryData(qk.clusters(4), ['stale']);
    const stop = startSync(api, qc, epochs);
    api.emit('job', job(7, 'running'));
    expect(qc.getQueryData(qk.jobs(4))).toEqual([job(7, 'running')]);
    expect(qc.getQueryState(qk.clusters(4))?.isInvalidated).toBe(false);
    api.emit('job', job(7, 'done'));
    expect(qc.getQueryData<JobInfo[]>(qk.jobs(4))!.map((j) => j.state)).toEqual(['done']);
    expect(qc.getQueryState(qk.clusters(4))?.isInvalidated).toBe(true);

    const stats = { epoch: 1, loss: 1 } as EpochStats;
    api.emit('trainingEpoch', { jobId: 7, libraryId: 4, epochs: 10, stats });
    expect(epochs.get(7)).toEqual([stats]);
    stop();
    api.emit('trainingEpoch', { jobId: 7, libraryId: 4, epochs: 10, stats: { ...stats, epoch: 2 } });
    expect(epochs.get(7)).toHaveLength(1);
  });

  it('reads the groups and the job list again when a naming job ends, and nothing a grouping shows', () => {
    const naming = { ...job(8, 'done'), kind: 'names' as const };
    expect(invalidationsForFinishedJob(naming)).toEqual([qk.clusters(4), qk.jobs(4)]);
  });
});
