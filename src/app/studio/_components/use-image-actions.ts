'use client';
/**
 * What can be done to a finished image — favourite, discard or restore, re-roll, regenerate with
 * its seed, variations, upscale — as API calls whose new jobs join the feed. One place, so the hover buttons, the context
 * menu, the keyboard and the bulk bar behave the same.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { VariationStrength } from '../../../core/variation-strength.js';
import type { RegenerateResponse, ResultImage } from '../../_lib/api-types.js';
import { queryKeys } from '../../_lib/query-keys.js';

export interface ImageActions {
  setFavourite(image: ResultImage, favourite: boolean): Promise<void>;
  setDiscarded(image: ResultImage, discarded: boolean): Promise<void>;
  reroll(image: ResultImage): Promise<void>;
  /** The same image again (its own seed, prompt, references, mask and settings) as a new job; the composer is not touched. */
  regenerateWithSeed(image: ResultImage): Promise<void>;
  /** A set of 4; with a strength, of the picture itself (Vary subtle / strong; docs/api.md). */
  variations(image: ResultImage, strength?: VariationStrength): Promise<void>;
  upscale(image: ResultImage, size: string): Promise<void>;
}

export function useImageActions(onNewJob: (job: { jobId: string; groupId: string }) => void): ImageActions {
  const queryClient = useQueryClient();
  return useMemo(() => {
    const patch = async (image: ResultImage, body: { favorite?: boolean; discarded?: boolean }, failure: string) => {
      try {
        await apiRequest<ResultImage>(`/api/images/${encodeURIComponent(image.id)}`, { method: 'PATCH', body });
        await queryClient.invalidateQueries({ queryKey: queryKeys.jobResults(image.jobId) });
      } catch (error) {
        toast.error(failure, { description: errorMessage(error) });
      }
    };
    const startJob = async (path: string, body: unknown, what: string) => {
      try {
        const job = await apiRequest<RegenerateResponse>(path, { method: 'POST', body });
        onNewJob({ jobId: job.id, groupId: job.groupId });
        toast.info(`${what}: ${job.plan.images} ${job.plan.images === 1 ? 'image' : 'images'} queued`, job.variation ? { description: job.variation.note } : undefined);
      } catch (error) {
        toast.error(`${what} failed`, { description: errorMessage(error) });
      }
    };
    return {
      setFavourite: (image, favourite) => patch(image, { favorite: favourite }, 'The favourite mark was not saved'),
      setDiscarded: (image, discarded) => patch(image, { discarded }, discarded ? 'The image was not discarded' : 'The image was not restored'),
      reroll: (image) => startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, {}, 'Re-roll'),
      regenerateWithSeed: (image) => startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, image.seed === null ? {} : { seed: image.seed }, 'Regenerate with this seed'),
      variations: (image, strength) => startJob(`/api/images/${encodeURIComponent(image.id)}/regenerate`, { count: 4, ...(strength ? { strength } : {}) }, strength ? `Vary (${strength})` : 'Variations'),
      upscale: (image, size) => startJob(`/api/images/${encodeURIComponent(image.id)}/upscale`, { size }, `Upscale to ${size}`),
    };
  }, [queryClient, onNewJob]);
}
