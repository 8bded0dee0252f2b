'use client';
/**
 * Cursor-paged image lists (a job's results, a group's gallery) as one infinite query each,
 * flattened for the grid.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { apiRequest } from './api-client.js';
import type { ResultImage, ResultsPage } from './api-types.js';

/** Images per page: a few screens of thumbnails, so fast scrolling does not wait on every row. */
export const imagePageSize = 200;

export function useImagePages(queryKey: readonly unknown[], basePath: string, filter: Record<string, string>) {
  const query = useInfiniteQuery({
    queryKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const parameters = new URLSearchParams({ ...filter, limit: String(imagePageSize) });
      if (pageParam !== null) parameters.set('cursor', pageParam);
      return apiRequest<ResultsPage>(`${basePath}?${parameters.toString()}`, { signal });
    },
    getNextPageParam: (page) => page.nextCursor,
    // Pages are fresh objects from the server anyway; comparing 10,000 loaded items deeply on
    // every new page would cost the main thread more than it saves in renders.
    structuralSharing: false,
  });
  const images = useMemo<ResultImage[]>(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  // The first page carries the exact number of matching images.
  const total = query.data?.pages[0]?.total ?? undefined;
  return { ...query, images, total: total === null ? undefined : total };
}
