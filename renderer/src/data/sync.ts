/**
 * Keeps TanStack Query's cache in step with the core: events refresh exactly the parts they name, job progress
 * is written straight into the cache (no refetch per tick), and a reconnect refreshes everything that may have
 * changed while the socket was down.
 */
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { ApiClient, EpochStats, Events, JobInfo, Unsubscribe } from '../../../core/api.js';
import { addEpoch } from '../lib/chart.js';
import { isActive, upsertJob } from '../lib/jobs.js';
import { qk } from './keys.js';

export function invalidationsFor(change: Events['libraryChanged']): QueryKey[] {
  const id = change.libraryId;
  const keys: QueryKey[] = [];
  for (const part of new Set(change.parts)) {
    switch (part) {
      case 'library':
        keys.push(qk.libraries, qk.library(id), ['lib', id, 'scanErrors']);
        break;
      case 'photos':
        keys.push(qk.photos(id), qk.allPhotoDetails, qk.embeddings(id));
        break;
      case 'clusters':
        keys.push(qk.clusters(id));
        break;
      case 'history':
        keys.push(qk.history(id));
        break;
      case 'runs':
        keys.push(qk.runs(id));
        break;
    }
  }
  return keys;
}

/** What else to refresh when a job finishes (the service also sends libraryChanged; this covers missed events). */
export function invalidationsForFinishedJob(job: JobInfo): QueryKey[] {
  if (job.libraryId === null) return [qk.libraries];
  const id = job.libraryId;
  switch (job.kind) {
    case 'scan':
      return [qk.libraries, qk.library(id), ['lib', id, 'scanErrors'], qk.photos(id)];
    case 'export':
      return [];
    case 'names':
      // The service keeps only the newest naming job: the list is read again so the ones it dropped go.
      return [qk.clusters(id), qk.jobs(id)];
    default:
      return [qk.libraries, qk.library(id), qk.clusters(id), qk.photos(id), qk.runs(id), qk.embeddings(id), qk.history(id)];
  }
}

/** Live training epochs per job, for the chart (not part of the query cache: they only ever grow). */
export class EpochStore {
  private readonly byJob = new Map<number, EpochStats[]>();
  private readonly listeners = new Set<() => void>();
  private static readonly EMPTY: EpochStats[] = [];

  get(jobId: number | null): EpochStats[] {
    return (jobId !== null && this.byJob.get(jobId)) || EpochStore.EMPTY;
  }

  add(jobId: number, stats: EpochStats): void {
    this.byJob.set(jobId, addEpoch(this.get(jobId), stats));
    this.listeners.forEach((l) => l());
  }

  subscribe = (listener: () => void): Unsubscribe => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
}

export function startSync(api: ApiClient, qc: QueryClient, epochs: EpochStore): Unsubscribe {
  const offs = [
    api.on('libraryChanged', (change) => {
      for (const queryKey of invalidationsFor(change)) void qc.invalidateQueries({ queryKey });
    }),
    api.on('job', (job) => {
      qc.setQueryData<JobInfo>(qk.job(job.id), job);
      if (job.libraryId !== null) qc.setQueryData<JobInfo[]>(qk.jobs(job.libraryId), (list) => upsertJob(list, job));
      if (!isActive(job)) for (const queryKey of invalidationsForFinishedJob(job)) void qc.invalidateQueries({ queryKey });
    }),
    api.on('trainingEpoch', (e) => epochs.add(e.jobId, e.stats)),
  ];
  return () => offs.forEach((off) => off());
}
