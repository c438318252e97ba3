import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient, KChoice, LibraryInfo } from '../../../core/api.js';
import { isActive, upsertJob } from '../lib/jobs.js';
import { qk } from './keys.js';

/** Adds a folder and starts grouping its photos. */
export async function addLibraryAndGroup(api: ApiClient, qc: QueryClient, root: string): Promise<LibraryInfo> {
  const library = await api.addLibrary({ root });
  qc.setQueryData<LibraryInfo[]>(qk.libraries, (list) => [...(list ?? []).filter((l) => l.id !== library.id), library]);
  await scanAndGroup(api, qc, library.id);
  return library;
}

/**
 * Starts the core's one grouping job, which scans the folder first (core/service/libraryPipeline.ts). A grouping
 * already queued or running is not started twice. `k` overrides the settings' number of groups for this run only
 * (the "Group again" dialog's choice).
 */
export async function scanAndGroup(api: ApiClient, qc: QueryClient, libraryId: number, opts: { k?: KChoice } = {}): Promise<void> {
  const jobs = await api.listJobs({ libraryId, limit: 20 });
  const running = jobs.some((j) => j.kind === 'cluster' && isActive(j));
  qc.setQueryData(qk.jobs(libraryId), running ? jobs : upsertJob(jobs, await api.startClustering({ libraryId, k: opts.k })));
}
