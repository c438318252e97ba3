import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient, ArgsIn, EditResult, MethodName, Results } from '../../../core/api.js';
import { errorMessage, useApi, useNotices } from './context.js';
import { qk } from './keys.js';

export function useCapabilities() {
  const api = useApi();
  return useQuery({ queryKey: qk.capabilities, queryFn: () => api.getCapabilities({}) });
}

export function useSettings() {
  const api = useApi();
  return useQuery({ queryKey: qk.settings, queryFn: () => api.getSettings({}) });
}

export function useLibraries() {
  const api = useApi();
  return useQuery({ queryKey: qk.libraries, queryFn: () => api.listLibraries({}) });
}

export function useLibrary(libraryId: number) {
  const api = useApi();
  return useQuery({ queryKey: qk.library(libraryId), queryFn: () => api.getLibrary({ libraryId }) });
}

export function useClusters(libraryId: number | null) {
  const api = useApi();
  return useQuery({
    queryKey: qk.clusters(libraryId ?? 0),
    queryFn: () => api.listClusters({ libraryId: libraryId!, includeHidden: true }),
    enabled: libraryId !== null,
  });
}

export function useHistory(libraryId: number | null) {
  const api = useApi();
  return useQuery({ queryKey: qk.history(libraryId ?? 0), queryFn: () => api.listHistory({ libraryId: libraryId! }), enabled: libraryId !== null });
}

export function useJobs(libraryId: number | null) {
  const api = useApi();
  return useQuery({ queryKey: qk.jobs(libraryId ?? 0), queryFn: () => api.listJobs({ libraryId: libraryId!, limit: 50 }), enabled: libraryId !== null });
}

export function useJob(jobId: number | null) {
  const api = useApi();
  return useQuery({ queryKey: qk.job(jobId ?? 0), queryFn: () => api.getJob({ jobId: jobId! }), enabled: jobId !== null });
}

export function useRuns(libraryId: number) {
  const api = useApi();
  return useQuery({ queryKey: qk.runs(libraryId), queryFn: () => api.listRuns({ libraryId }) });
}

/** One photo's details, as a query: usePhotoDetails reads it, and Review fetches the next photos' ahead of time. */
export function photoDetailsQuery(api: ApiClient, photoId: number) {
  return { queryKey: qk.photo(photoId), queryFn: () => api.getPhoto({ photoId }) };
}

export function usePhotoDetails(photoId: number | null) {
  const api = useApi();
  return useQuery({ ...photoDetailsQuery(api, photoId ?? 0), enabled: photoId !== null });
}

type EditMethod = {
  [M in MethodName]: Results[M] extends EditResult ? M : never;
}[MethodName];

/**
 * Runs one edit (each is one undo entry in the core), writes the returned clusters into the cache, refreshes what
 * the edit touched and tells the user what happened, with an Undo button for anything but undo/redo themselves.
 */
export function useEdit<M extends EditMethod>(method: M, libraryId: number) {
  const api = useApi();
  const qc = useQueryClient();
  const { notify } = useNotices();
  return useMutation({
    mutationFn: (args: ArgsIn<M>) => (api[method] as (a: ArgsIn<M>) => Promise<EditResult>)(args),
    onSuccess: (result) => {
      qc.setQueryData(qk.clusters(libraryId), result.clusters);
      for (const queryKey of [qk.clusters(libraryId), qk.photos(libraryId), qk.history(libraryId), qk.library(libraryId), qk.embeddings(libraryId), qk.allPhotoDetails]) {
        void qc.invalidateQueries({ queryKey });
      }
      const text = result.edit ? (method === 'undo' ? `Undid: ${result.edit.description}` : method === 'redo' ? `Redid: ${result.edit.description}` : result.edit.description) : method === 'undo' ? 'Nothing to undo' : method === 'redo' ? 'Nothing to redo' : 'Done';
      const undoable = result.edit && method !== 'undo' && method !== 'redo';
      notify(text, undoable ? { action: { label: 'Undo', run: () => void api.undo({ libraryId }).then(() => qc.invalidateQueries({ queryKey: ['lib', libraryId] })) } } : undefined);
    },
    onError: (err) => notify(errorMessage(err), { tone: 'error' }),
  });
}
