'use client';
/**
 * Marks an image favourite (or not) and updates every cached list that shows it at once, so the
 * star flips without waiting for a refetch.
 */
import { useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from './api-client.js';
import type { ResultImage, ResultsPage } from './api-types.js';
import { queryKeys } from './query-keys.js';

export function useFavoriteToggle() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ imageId, favorite }: { imageId: string; favorite: boolean }) =>
      apiRequest<ResultImage>(`/api/images/${encodeURIComponent(imageId)}`, { method: 'PATCH', body: { favorite } }),
    onSuccess: (image) => {
      const update = (data: InfiniteData<ResultsPage> | undefined) =>
        data && { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === image.id ? { ...item, favorite: image.favorite } : item)) })) };
      queryClient.setQueriesData<InfiniteData<ResultsPage>>({ queryKey: queryKeys.allGroupImages }, update);
      queryClient.setQueriesData<InfiniteData<ResultsPage>>({ queryKey: queryKeys.allJobResults }, update);
    },
    onError: (error) => toast.error(`Could not change the favourite mark. ${errorMessage(error)}`),
  });
}
