'use client';
/**
 * One prompt of one batch in the feed: the prompt and its reference, "Generating N images…" while
 * its calls run, and its sets as grids (1 → one card, 2 → two columns, 4 → 2×2; one column on a
 * phone). Discarded images are hidden until "Show discarded".
 */
import { useState } from 'react';
import type { ResultImage } from '../../_lib/api-types.js';
import type { FeedJobInfo, FeedRun, FeedSet } from './feed-image.js';
import { RunImagesContext, useFeedContext } from './feed-context.js';
import { runMatches } from './feed-filter.js';
import { ImageSlot } from './image-card.js';

export function FeedRunView({ run }: { run: FeedRun }) {
  const { setSelected, selectedIds, filter } = useFeedContext();
  const [showDiscarded, setShowDiscarded] = useState(false);
  const allSlots = run.sets.flatMap((set) => set.slots);
  const referenceNames = allSlots.find((slot) => slot.image?.referenceNames)?.image?.referenceNames ?? [];
  const matches = runMatches({ prompt: run.prompt, referenceNames, seeds: allSlots.map((slot) => slot.image?.seed ?? null), createdAt: run.job.createdAt }, filter, new Date());
  const slots = allSlots.filter((slot) => !filter.favouritesOnly || slot.image?.favorite === true);
  const pending = slots.filter((slot) => !slot.image && (slot.task.status === 'queued' || slot.task.status === 'running')).length;
  const discarded = slots.filter((slot) => slot.image?.discarded).length;
  const visibleImages = slots.flatMap((slot) => (slot.image && (showDiscarded || !slot.image.discarded) ? [slot.image] : []));
  const allSelected = visibleImages.length > 0 && visibleImages.every((image) => selectedIds.has(image.id));
  const referenceId = run.referenceIds[0];
  if (!matches || slots.length === 0) return null;

  return (
    <article className="flex flex-col gap-3 rounded-lg border border-neutral-800 bg-neutral-900/60 p-3" data-testid="feed-run" data-prompt={run.prompt}>
      <header className="flex items-start gap-3">
        {referenceId ? (
          <img src={`/api/uploads/${encodeURIComponent(referenceId)}/thumb`} alt="Reference" className="h-12 w-12 shrink-0 rounded border border-neutral-700 object-cover" />
        ) : null}
        <div className="flex min-w-0 flex-1 flex-col gap-0.5">
          <p className="text-sm font-medium break-words" data-testid="feed-run-prompt">
            {run.prompt}
          </p>
          <p className="text-xs text-neutral-400">
            {run.job.mode === 'studio' ? '' : `${run.job.mode === 'automatic' ? 'Automatic' : run.job.mode === 'cli' ? 'CLI' : run.job.mode} job · `}
            {referenceNames[0] ? `${referenceNames[0]} · ` : ''}
            {run.job.model} · {run.job.settings.size} · {run.job.settings.aspectRatio} · {new Date(run.job.createdAt).toLocaleTimeString()}
          </p>
          {pending > 0 ? (
            <p className="text-xs text-sky-300" data-testid="feed-run-generating">
              Generating {pending} {pending === 1 ? 'image' : 'images'}…
            </p>
          ) : null}
        </div>
        <div className="flex shrink-0 flex-col items-end gap-1 text-xs">
          {visibleImages.length > 0 ? (
            <button type="button" className="rounded px-1.5 py-0.5 text-neutral-300 hover:bg-neutral-800" onClick={() => setSelected(visibleImages, !allSelected)} data-testid="select-run">
              {allSelected ? 'Deselect all' : 'Select all'}
            </button>
          ) : null}
          {discarded > 0 ? (
            <button type="button" className="rounded px-1.5 py-0.5 text-neutral-400 hover:bg-neutral-800" onClick={() => setShowDiscarded((shown) => !shown)}>
              {showDiscarded ? 'Hide discarded' : `Show discarded (${discarded})`}
            </button>
          ) : null}
        </div>
      </header>
      <RunImagesContext.Provider value={visibleImages}>
        <div className="flex flex-wrap items-start gap-3">
          {run.sets.map((set) => (
            <SetGrid key={set.setIndex} set={set} job={run.job} showDiscarded={showDiscarded} />
          ))}
        </div>
      </RunImagesContext.Provider>
    </article>
  );
}

function SetGrid({ set, job, showDiscarded }: { set: FeedSet; job: FeedJobInfo; showDiscarded: boolean }) {
  const { setSelected, selectedIds, density, filter } = useFeedContext();
  const slots = set.slots.filter((slot) => (showDiscarded || !slot.image?.discarded) && (!filter.favouritesOnly || slot.image?.favorite === true));
  if (slots.length === 0) return null;
  const images = slots.flatMap((slot) => (slot.image ? [slot.image] : []));
  // Sets stay at a size where four images can be judged at a glance; sets of one sit side by side.
  const compact = density === 'compact';
  const width = set.slots.length === 1 ? (compact ? 'w-[calc(50%-0.375rem)] sm:w-36' : 'w-full sm:w-64') : compact ? 'w-full max-w-sm' : 'w-full max-w-2xl';
  const columns = set.slots.length === 1 ? 'grid-cols-1' : compact ? 'grid-cols-2 sm:grid-cols-4' : 'grid-cols-1 sm:grid-cols-2';
  return (
    <div className={`flex flex-col gap-1 ${width}`} data-testid="feed-set" data-set-index={set.setIndex} data-set-size={set.slots.length}>
      <div className="flex items-center justify-between text-xs text-neutral-400">
        <span>Set {set.setIndex + 1}</span>
        {images.length > 1 ? (
          <button type="button" className="rounded px-1.5 hover:bg-neutral-800 hover:text-neutral-200" onClick={() => setSelected(images, !images.every((image) => selectedIds.has(image.id)))}>
            Select set
          </button>
        ) : null}
      </div>
      <div className={`grid gap-2 ${columns}`}>
        {slots.map((slot) => (
          <ImageSlot key={slot.key} slot={slot} job={job} />
        ))}
      </div>
      {images.length > 1 ? <SetActions images={images} job={job} /> : null}
    </div>
  );
}

/**
 * The row under a finished set, as in Midjourney: U1…U4 upscale one image to the next size its
 * model offers, V1…V4 make a set of variations of it (new seeds, or Vary subtle / strong as chosen
 * above the feed). Always visible (no hover needed), one click
 * each; both start paid work, so they are buttons, never single keys.
 */
function SetActions({ images, job }: { images: readonly ResultImage[]; job: FeedJobInfo }) {
  const { actions, upscaleSizesFor, varyStrength } = useFeedContext();
  const strength = varyStrength === 'seeds' ? undefined : varyStrength;
  const varyWhat = strength ? `vary (${strength})` : 'variations of';
  const upscaleSize = upscaleSizesFor(job)[0];
  const button = 'min-h-7 min-w-9 rounded border border-neutral-700 px-1.5 text-xs font-medium text-neutral-200 hover:bg-neutral-800 focus-visible:outline-2 focus-visible:outline-sky-400';
  return (
    <div className="flex flex-wrap items-center gap-1" role="group" aria-label="Upscale or vary one image of the set" data-testid="set-actions">
      {upscaleSize
        ? images.map((image, position) => (
            <button key={`u-${image.id}`} type="button" className={button} aria-label={`U${position + 1}: upscale image ${position + 1} of the set to ${upscaleSize}`} title={`Upscale image ${position + 1} to ${upscaleSize}`} onClick={() => void actions.upscale(image, upscaleSize)}>
              U{position + 1}
            </button>
          ))
        : null}
      {images.map((image, position) => (
        <button key={`v-${image.id}`} type="button" className={button} aria-label={`V${position + 1}: ${varyWhat} image ${position + 1} of the set`} title={`${strength ? `Vary (${strength})` : 'Variations of'} image ${position + 1} (a set of 4)`} onClick={() => void actions.variations(image, strength)} data-testid="set-vary">
          V{position + 1}
        </button>
      ))}
    </div>
  );
}
