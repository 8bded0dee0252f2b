'use client';
/**
 * The viewer's actions on the job page and in the gallery — for an image of any mode, Automatic
 * included: re-roll, variations (a set of 4 with consecutive seeds), upscale to each larger size
 * its model offers, discard or restore. New work is a new job; the toast links to it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { Route } from 'next';
import { useMemo } from 'react';
import { toast } from 'sonner';
import type { ViewerActions } from '../_components/image-viewer.js';
import { apiRequest, errorMessage } from './api-client.js';
import { useProviders } from './api-queries.js';
import type { RegenerateResponse, ResultImage } from './api-types.js';
import { queryKeys } from './query-keys.js';

const sizeOrder = ['512', '1K', '2K', '4K'] as const;
/** Longest side of each size, in pixels. */
const sizeSidePx: Record<(typeof sizeOrder)[number], number> = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 };

/** The size an image was made at, judged by its longest side. */
export function sizeOfImage(image: Pick<ResultImage, 'width' | 'height'>): (typeof sizeOrder)[number] {
  const side = Math.max(image.width, image.height);
  return sizeOrder.find((size) => side <= sizeSidePx[size] * 1.05) ?? '4K';
}

export function useViewerActions(): ViewerActions {
  const providers = useProviders();
  const queryClient = useQueryClient();
  const router = useRouter();
  const providerItems = providers.data?.items;
  return useMemo(() => {
    const startJob = async (path: string, body: unknown, what: string) => {
      try {
        const job = await apiRequest<RegenerateResponse>(path, { method: 'POST', body });
        toast.success(`${what}: ${job.plan.images} ${job.plan.images === 1 ? 'image' : 'images'} queued`, {
          action: { label: 'Open its job', onClick: () => router.push(`/jobs/${encodeURIComponent(job.id)}` as Route) },
        });
      } catch (error) {
        toast.error(`${what} failed`, { description: errorMessage(error) });
      }
    };
    return {
      reroll: (image) => void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, {}, 'Re-roll'),
      regenerateWithSeed: (image) => void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, image.seed === null ? {} : { seed: image.seed }, 'Regenerate with this seed'),
      variations: (image) => void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, { count: 4 }, 'Variations'),
      upscale: (image, size) => void startJob(`/api/images/${encodeURIComponent(image.id)}/upscale`, { size }, `Upscale to ${size}`),
      upscaleSizes: (image) => {
        const model = providerItems?.find((provider) => provider.id === image.provider)?.models.find((candidate) => candidate.id === image.model);
        if (!model) return [];
        const own = sizeOrder.indexOf(sizeOfImage(image));
        return sizeOrder.filter((size, position) => position > own && model.sizes.includes(size));
      },
      setDiscarded: (image, discarded) =>
        void apiRequest<ResultImage>(`/api/images/${encodeURIComponent(image.id)}`, { method: 'PATCH', body: { discarded } }).then(
          () => Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.allJobResults }), queryClient.invalidateQueries({ queryKey: queryKeys.allGroupImages })]),
          (error: unknown) => toast.error(discarded ? 'The image was not discarded' : 'The image was not restored', { description: errorMessage(error) }),
        ),
    };
  }, [providerItems, queryClient, router]);
}
