'use client';
/** What every card of the feed shares: the image actions, the selection, and opening the viewer. */
import { createContext, useContext } from 'react';
import type { ResultImage } from '../../_lib/api-types.js';
import type { VariationStrength } from '../../../core/variation-strength.js';
import type { FeedFilter } from './feed-filter.js';
import type { FeedJobInfo } from './feed-image.js';
import type { ImageActions } from './use-image-actions.js';

export interface FeedContextValue {
  actions: ImageActions;
  selectedIds: ReadonlySet<string>;
  setSelected: (images: readonly ResultImage[], selected: boolean) => void;
  /** On: a tap or click on a card selects it (phones have no shift-click). */
  selectMode: boolean;
  /** Smaller sets, more per row. */
  density: FeedDensity;
  /** Which runs and images the feed shows. */
  filter: FeedFilter;
  /** Opens the viewer on `image`; ← → move through `siblings` (its run's images). */
  openViewer: (image: ResultImage, job: FeedJobInfo, siblings?: readonly ResultImage[]) => void;
  /** Puts the image's seed in the composer's seed field; nothing else changes (Undo offered). */
  applySeed: (image: ResultImage) => void;
  /** Takes the image's model and settings (and seed) into the composer; references and prompts stay (Undo offered). */
  recallSettings: (image: ResultImage, job: FeedJobInfo) => void;
  /** Stores the image as a reference and adds it to the composer as a new block (Undo offered). */
  useAsReference: (image: ResultImage) => void;
  /** Adds the image's prompt as a new row beside its reference (Undo offered). */
  addPrompt: (image: ResultImage) => void;
  /** What the V1…V4 buttons under a set make: new seeds, or Vary (subtle / strong) of the picture. */
  varyStrength: VariationStrength | 'seeds';
  /** Sizes larger than the job's that its model offers (the upscale choices). */
  upscaleSizesFor: (job: FeedJobInfo) => string[];
}

export type FeedDensity = 'comfortable' | 'compact';

export type { FeedFilter } from './feed-filter.js';

export const FeedContext = createContext<FeedContextValue | null>(null);

export function useFeedContext(): FeedContextValue {
  const context = useContext(FeedContext);
  if (!context) throw new Error('useFeedContext needs a FeedContext provider');
  return context;
}

/** The images of the run a card belongs to, in feed order: the viewer's ← → list. */
export const RunImagesContext = createContext<readonly ResultImage[]>([]);
