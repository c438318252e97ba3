import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient, KChoice, LibraryInfo } from '../../../core/api.js';
import { isActive, upsertJob } from '../lib/jobs.js';
import { qk } from './keys.js';

/**
 * Adds a folder and queues its scan and grouping. The core runs library jobs one at a time in order, so the cluster
 * job starts after the scan. A scan the core already queued for the new library is not queued twice.
 */
export async function addLibraryAndGroup(api: ApiClient, qc: QueryClient, root: string): Promise<LibraryInfo> {
  const library = await api.addLibrary({ root });
  qc.setQueryData<LibraryInfo[]>(qk.libraries, (list) => [...(list ?? []).filter((l) => l.id !== library.id), library]);
  await scanAndGroup(api, qc, library.id);
  return library;
}

/** `k` overrides the settings' number of groups for this run only (the "Group again" dialog's choice). */
export async function scanAndGroup(api: ApiClient, qc: QueryClient, libraryId: number, opts: { k?: KChoice } = {}): Promise<void> {
  const jobs = await api.listJobs({ libraryId, limit: 20 });
  let list = jobs;
  if (!jobs.some((j) => j.kind === 'scan' && isActive(j))) list = upsertJob(list, await api.scanLibrary({ libraryId }));
  if (!jobs.some((j) => j.kind === 'cluster' && isActive(j))) list = upsertJob(list, await api.startClustering({ libraryId, ...(opts.k !== undefined ? { k: opts.k } : {}) }));
  qc.setQueryData(qk.jobs(libraryId), list);
}
