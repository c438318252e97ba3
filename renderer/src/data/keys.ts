import type { ArgsIn } from '../../../core/api.js';

/**
 * Query keys. Everything that belongs to one library sits under ['lib', id, …] so an event can refresh one part
 * of one library by prefix.
 */
export type PhotoListParams = Omit<ArgsIn<'listPhotos'>, 'offset' | 'limit'> & { libraryId: number };

export const qk = {
  capabilities: ['capabilities'] as const,
  settings: ['settings'] as const,
  libraries: ['libraries'] as const,
  lib: (id: number) => ['lib', id] as const,
  library: (id: number) => ['lib', id, 'info'] as const,
  clusters: (id: number) => ['lib', id, 'clusters'] as const,
  photos: (id: number) => ['lib', id, 'photos'] as const,
  photoPage: (p: PhotoListParams, page: number) =>
    ['lib', p.libraryId, 'photos', p.clusterId ?? 'all', p.filter ?? 'all', p.sort ?? 'confidence', p.order ?? 'desc', page] as const,
  history: (id: number) => ['lib', id, 'history'] as const,
  runs: (id: number) => ['lib', id, 'runs'] as const,
  jobs: (id: number) => ['lib', id, 'jobs'] as const,
  scanErrors: (id: number, page: number) => ['lib', id, 'scanErrors', page] as const,
  embeddings: (id: number) => ['lib', id, 'embeddings'] as const,
  photo: (photoId: number) => ['photo', photoId] as const,
  allPhotoDetails: ['photo'] as const,
  job: (jobId: number) => ['job', jobId] as const,
};
