'use client';
/**
 * The viewer's actions on the job page and in the gallery — for an image of any mode, Automatic
 * included: re-roll, variations (a set of 4 with consecutive seeds), upscale to each larger size
 * its model offers, discard or restore. New work is a new job; the toast links to it. The composer
 * actions (use seed, prompt, all settings, as reference) change the Studio's stored draft of the
 * group shown (studio-handoff.ts); their toast offers "Open in Studio" and Undo.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { Route } from 'next';
import { useMemo } from 'react';
import { toast } from 'sonner';
import type { ViewerActions } from '../_components/image-viewer.js';
import { apiRequest, errorMessage } from './api-client.js';
import { useProviders } from './api-queries.js';
import type { Asset, RegenerateResponse, ResultImage, TaskList } from './api-types.js';
import { queryKeys } from './query-keys.js';
import { changeStudioDraft, type StudioChange } from './studio-handoff.js';
import { withPrompt, withReference, withSeed, withSettings } from '../studio/_components/composer-changes.js';

const sizeOrder = ['512', '1K', '2K', '4K'] as const;
/** Longest side of each size, in pixels. */
const sizeSidePx: Record<(typeof sizeOrder)[number], number> = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 };

/** The size an image was made at, judged by its longest side. */
export function sizeOfImage(image: Pick<ResultImage, 'width' | 'height'>): (typeof sizeOrder)[number] {
  const side = Math.max(image.width, image.height);
  return sizeOrder.find((size) => side <= sizeSidePx[size] * 1.05) ?? '4K';
}

/** `groupId`: the group the images are shown in (a job's or a gallery's); its Studio draft takes the composer actions. */
export function useViewerActions(groupId: string | undefined): ViewerActions {
  const providers = useProviders();
  const queryClient = useQueryClient();
  const router = useRouter();
  const providerItems = providers.data?.items;
  return useMemo(() => {
    const startJob = async (path: string, body: unknown, what: string) => {
      try {
        const job = await apiRequest<RegenerateResponse>(path, { method: 'POST', body });
        toast.success(`${what}: ${job.plan.images} ${job.plan.images === 1 ? 'image' : 'images'} queued`, {
          // How a strength was honoured (or not) by this model.
          ...(job.variation ? { description: job.variation.note } : {}),
          action: { label: 'Open its job', onClick: () => router.push(`/jobs/${encodeURIComponent(job.id)}` as Route) },
        });
      } catch (error) {
        toast.error(`${what} failed`, { description: errorMessage(error) });
      }
    };
    const intoStudio = (change: StudioChange, message: string) => {
      if (groupId === undefined) return;
      let undo: () => void;
      try {
        undo = changeStudioDraft(groupId, change);
      } catch (error) {
        toast.error('The Studio draft could not be changed (the browser keeps no storage)', { description: errorMessage(error) });
        return;
      }
      toast.success(message, {
        description: 'In the Studio draft of this group.',
        // Long enough to read and reach Undo (the default 4 s is not).
        duration: 10_000,
        action: { label: 'Open in Studio', onClick: () => router.push('/studio') },
        cancel: { label: 'Undo', onClick: undo },
      });
    };
    const composerActions: Pick<ViewerActions, 'useSeed' | 'usePrompt' | 'recallSettings' | 'useAsReference' | 'composerHeading'> =
      groupId === undefined
        ? {}
        : {
            composerHeading: 'Into the Studio draft of this group',
            useSeed: (image) => {
              const seed = image.seed;
              if (seed === null) toast.info('This image has no seed (its model does not take seeds).');
              else intoStudio({ preferences: (previous) => withSeed(previous, seed) }, `Seed ${seed} is in the Studio's composer`);
            },
            usePrompt: (image) => intoStudio({ drafts: (previous) => withPrompt(previous, image) }, "The prompt was added to the Studio's composer"),
            recallSettings: (image) =>
              void apiRequest<TaskList>(`/api/jobs/${encodeURIComponent(image.jobId)}/tasks?limit=1`).then(
                (tasks) => intoStudio({ preferences: (previous) => withSettings(previous, image, tasks.job) }, `Model, settings${image.seed === null ? '' : ` and seed ${image.seed}`} are in the Studio's composer`),
                (error: unknown) => toast.error('The settings could not be read', { description: errorMessage(error) }),
              ),
            useAsReference: (image) =>
              void apiRequest<Asset>(`/api/images/${encodeURIComponent(image.id)}/reference`, { method: 'POST' }).then(
                (asset) => intoStudio({ drafts: (previous) => withReference(previous, asset) }, "The image is a reference in the Studio's composer"),
                (error: unknown) => toast.error('The image could not be used as a reference', { description: errorMessage(error) }),
              ),
          };
    return {
      ...composerActions,
      reroll: (image) => void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, {}, 'Re-roll'),
      regenerateWithSeed: (image) => void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, image.seed === null ? {} : { seed: image.seed }, 'Regenerate with this seed'),
      variations: (image, strength) =>
        void startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, { count: 4, ...(strength ? { strength } : {}) }, strength ? `Vary (${strength})` : 'Variations'),
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
  }, [providerItems, queryClient, router, groupId]);
}
