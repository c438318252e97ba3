/**
 * A window onto a long photo list fetched in pages as the user scrolls: only the pages under the viewport (plus
 * page 0, which carries the total) are requested; the rest of the grid shows placeholders until theirs arrive.
 */
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { PhotoInfo, PhotoPage } from '../../../core/api.js';
import { pagesForRange } from '../lib/gridLayout.js';
import { useApi } from './context.js';
import { qk, type PhotoListParams } from './keys.js';

export const PAGE_SIZE = 240;

export interface PhotoWindow {
  /** Undefined until the first page has arrived. */
  total: number | undefined;
  photoAt(index: number): PhotoInfo | undefined;
  /** Ids at indices lo..hi inclusive, fetching pages not in the cache. */
  idsInRange(lo: number, hi: number): Promise<number[]>;
  error: unknown;
  loading: boolean;
}

export function usePhotoWindow(params: PhotoListParams, first: number, last: number): PhotoWindow {
  const api = useApi();
  const qc = useQueryClient();
  const pages = useMemo(() => {
    const set = new Set([0, ...pagesForRange(first, last, PAGE_SIZE)]);
    return [...set].sort((a, b) => a - b);
  }, [first, last]);

  const fetchPage = useCallback(
    (page: number) => api.listPhotos({ ...params, offset: page * PAGE_SIZE, limit: PAGE_SIZE }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, params.libraryId, params.clusterId, params.filter, params.sort, params.order],
  );

  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: qk.photoPage(params, page),
      queryFn: () => fetchPage(page),
    })),
  });

  const byPage = new Map<number, PhotoPage>();
  let total: number | undefined;
  let error: unknown = null;
  results.forEach((r, i) => {
    if (r.data) {
      byPage.set(pages[i]!, r.data);
      total = r.data.total;
    }
    if (r.error && !error) error = r.error;
  });

  const photoAt = (index: number): PhotoInfo | undefined => {
    const page = Math.floor(index / PAGE_SIZE);
    const data = byPage.get(page) ?? qc.getQueryData<PhotoPage>(qk.photoPage(params, page));
    return data?.items[index - page * PAGE_SIZE];
  };

  const idsInRange = async (lo: number, hi: number): Promise<number[]> => {
    const out: number[] = [];
    for (const page of pagesForRange(lo, hi, PAGE_SIZE)) {
      const data = await qc.fetchQuery({ queryKey: qk.photoPage(params, page), queryFn: () => fetchPage(page) });
      data.items.forEach((p, i) => {
        const index = page * PAGE_SIZE + i;
        if (index >= lo && index <= hi) out.push(p.id);
      });
    }
    return out;
  };

  return { total, photoAt, idsInRange, error, loading: results[0]?.isPending ?? true };
}
