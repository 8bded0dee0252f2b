'use client';
/** What every card of the feed shares: the image actions, the selection, and opening the viewer. */
import { createContext, useContext } from 'react';
import type { ResultImage } from '../../_lib/api-types.js';
import type { FeedJobInfo } from './feed-image.js';
import type { ImageActions } from './use-image-actions.js';

export interface FeedContextValue {
  actions: ImageActions;
  selectedIds: ReadonlySet<string>;
  setSelected: (images: readonly ResultImage[], selected: boolean) => void;
  openViewer: (image: ResultImage, job: FeedJobInfo) => void;
  /** Copies the image's seed, prompt, reference and its job's settings into the composer. */
  copySeedToComposer: (image: ResultImage, job: FeedJobInfo) => void;
  /** Sizes larger than the job's that its model offers (the upscale choices). */
  upscaleSizesFor: (job: FeedJobInfo) => string[];
}

export const FeedContext = createContext<FeedContextValue | null>(null);

export function useFeedContext(): FeedContextValue {
  const context = useContext(FeedContext);
  if (!context) throw new Error('useFeedContext needs a FeedContext provider');
  return context;
}
