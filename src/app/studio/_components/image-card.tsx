'use client';
/**
 * One image of a set. While its call runs: a placeholder with a progress bar and percentage (live
 * `task.progress`), its planned seed and a cancel button. Then the WebP thumbnail with its seed in
 * a corner, its source photo's name, action buttons (on hover, always on touch screens), a context
 * menu and keyboard shortcuts (`cardShortcuts`: Enter, Space, and Alt+letter for everything that
 * changes something).
 */
import { useMutation } from '@tanstack/react-query';
import { ContextMenu } from 'radix-ui';
import { useContext, type KeyboardEvent, type ReactNode } from 'react';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { ResultImage, TaskCancel } from '../../_lib/api-types.js';
import { formatPercent } from '../../_lib/format.js';
import { RunImagesContext, useFeedContext } from './feed-context.js';
import { feedImageDragType } from './reference-adder.js';
import { cssAspectRatio, type FeedJobInfo, type FeedSlot } from './feed-image.js';
import { useLiveTaskFraction } from './task-progress.js';
import { Icon } from '../../_components/icons.js';
import { ImageMenuItem } from '../../_components/image-context-menu.js';
import { sourceLabel } from '../../_components/source-label.js';

export function ImageSlot({ slot, job }: { slot: FeedSlot; job: FeedJobInfo }) {
  return slot.image ? <ImageCard image={slot.image} job={job} /> : <PendingCard slot={slot} job={job} />;
}

function PendingCard({ slot, job }: { slot: FeedSlot; job: FeedJobInfo }) {
  const { task } = slot;
  const live = useLiveTaskFraction(task.id);
  const running = task.status === 'running';
  const fraction = running ? (live ?? task.progress ?? 0) : 0;
  const cancel = useMutation({
    mutationFn: () => apiRequest<TaskCancel>(`/api/tasks/${encodeURIComponent(task.id)}/cancel`, { method: 'POST' }),
    onError: (error) => toast.error('The set was not canceled', { description: errorMessage(error) }),
  });
  const label =
    task.status === 'queued'
      ? 'Waiting'
      : running
        ? 'Generating'
        : task.status === 'canceled'
          ? 'Canceled'
          : task.status === 'completed'
            ? 'Loading'
            : task.status === 'blocked'
              ? 'Blocked'
              : 'Failed';
  const active = task.status === 'queued' || running;
  return (
    <div
      className="relative flex flex-col items-center justify-center gap-2 overflow-hidden rounded-md border border-neutral-800 bg-neutral-900 p-3 text-sm"
      style={{ aspectRatio: cssAspectRatio(job.settings.aspectRatio) }}
      data-testid="image-placeholder"
      data-task-id={task.id}
      data-status={task.status}
    >
      {active ? <div className="absolute inset-0 animate-pulse bg-gradient-to-br from-neutral-900 via-neutral-800/60 to-neutral-900" aria-hidden /> : null}
      <span className="relative text-neutral-300">{label}</span>
      {active ? (
        <div className="relative flex w-3/4 flex-col items-center gap-1">
          <div className="h-1.5 w-full overflow-hidden rounded bg-neutral-700" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)}>
            <div className="h-full bg-sky-500 transition-[width] duration-300" style={{ width: formatPercent(fraction) }} />
          </div>
          <span className="text-xs tabular-nums text-neutral-400" data-testid="placeholder-percent">
            {formatPercent(fraction)}
          </span>
        </div>
      ) : null}
      {task.errorMessage && !active ? <p className="relative line-clamp-3 text-center text-xs text-rose-300">{task.errorMessage}</p> : null}
      {task.errorMessage && active ? <p className="relative line-clamp-2 text-center text-xs text-amber-300">Retrying: {task.errorMessage}</p> : null}
      {active ? (
        <button type="button" className="relative rounded border border-neutral-700 px-2 py-0.5 text-xs hover:bg-neutral-800" onClick={() => cancel.mutate()} disabled={cancel.isPending} data-testid="cancel-set">
          {task.imageCount > 1 ? `Cancel set (${task.imageCount})` : 'Cancel'}
        </button>
      ) : null}
      {slot.plannedSeed !== null ? <SeedBadge seed={slot.plannedSeed} /> : null}
    </div>
  );
}

function SeedBadge({ seed }: { seed: number }) {
  return (
    <span className="absolute bottom-1 left-1 rounded bg-black/70 px-1.5 py-0.5 font-mono text-[11px] text-neutral-200" data-testid="seed-badge">
      {seed}
    </span>
  );
}

/**
 * Shortcuts on a focused card need Alt (Option on a Mac): a plain letter typed while a card has the
 * focus — someone typing "dress" into the wrong place — must change nothing, let alone start a paid
 * re-roll. `event.code` is read, not `event.key`, because Option+letter types a symbol on a Mac.
 */
export const cardShortcuts: ReadonlyArray<{ code: string; keys: string; what: string }> = [
  { code: 'Enter', keys: 'Enter', what: 'Open in the viewer' },
  { code: 'Space', keys: 'Space', what: 'Select or deselect' },
  { code: 'KeyF', keys: 'Alt+F', what: 'Favourite' },
  { code: 'KeyD', keys: 'Alt+D', what: 'Discard or restore' },
  { code: 'KeyS', keys: 'Alt+S', what: 'Use this seed (only the seed changes; Undo offered)' },
  { code: 'KeyP', keys: 'Alt+P', what: 'Add this prompt to the composer' },
  { code: 'KeyR', keys: 'Alt+R', what: 'Re-roll: a new image with a new seed (paid)' },
  { code: 'KeyV', keys: 'Alt+V', what: 'Variations: a set of 4 (paid)' },
  { code: 'KeyU', keys: 'Alt+U', what: 'Upscale to the next size (paid)' },
];

function ImageCard({ image, job }: { image: ResultImage; job: FeedJobInfo }) {
  const { actions, selectedIds, setSelected, selectMode, openViewer: openViewerOn, applySeed, recallSettings, addPrompt, useAsReference, upscaleSizesFor } = useFeedContext();
  const runImages = useContext(RunImagesContext);
  const openViewer = (shown: ResultImage, shownJob: FeedJobInfo) => openViewerOn(shown, shownJob, runImages);
  const selected = selectedIds.has(image.id);
  const upscaleSizes = upscaleSizesFor(job);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey) return;
    if (!event.altKey) {
      if (event.key === 'Enter') openViewer(image, job);
      else if (event.key === ' ') setSelected([image], !selected);
      else return;
      event.preventDefault();
      return;
    }
    if (event.code === 'KeyF') void actions.setFavourite(image, !image.favorite);
    else if (event.code === 'KeyD') void actions.setDiscarded(image, !image.discarded);
    else if (event.code === 'KeyS') applySeed(image);
    else if (event.code === 'KeyP') addPrompt(image);
    else if (event.code === 'KeyR') void actions.reroll(image);
    else if (event.code === 'KeyV') void actions.variations(image);
    else if (event.code === 'KeyU' && upscaleSizes[0]) void actions.upscale(image, upscaleSizes[0]);
    else return;
    event.preventDefault();
  };

  // In select mode (phones: no shift-click) a tap selects instead of opening the viewer.
  const onActivate = () => (selectMode ? setSelected([image], !selected) : openViewer(image, job));
  const source = sourceLabel(image);

  return (
    // Not modal: a modal menu hides the page with aria-hidden while its links stay focusable (axe: aria-hidden-focus).
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild>
        <div
          tabIndex={0}
          role="group"
          aria-label={`Image, seed ${image.seed ?? 'none'}${source ? `, from ${source}` : ''}${image.favorite ? ', favourite' : ''}${image.discarded ? ', discarded' : ''}${selected ? ', selected' : ''}. Enter opens; Alt+letter shortcuts, ? lists them.`}
          data-testid="image-card"
          data-image-id={image.id}
          data-seed={image.seed ?? ''}
          data-favorite={image.favorite}
          data-selected={selected}
          onKeyDown={onKeyDown}
          draggable
          onDragStart={(event) => {
            // Dropped on the composer's references, the image becomes one.
            event.dataTransfer.setData(feedImageDragType, image.id);
            event.dataTransfer.effectAllowed = 'copy';
          }}
          className={`group relative overflow-hidden rounded-md border bg-neutral-900 outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${selected ? 'border-sky-400 ring-2 ring-sky-400' : 'border-neutral-800'} ${image.discarded ? 'opacity-40' : ''}`}
          style={{ aspectRatio: `${image.width} / ${image.height}` }}
        >
          <button type="button" className="block h-full w-full" onClick={onActivate} aria-label={selectMode ? (selected ? 'Deselect' : 'Select') : 'Open in the viewer'} tabIndex={-1} data-testid="card-open">
            <img src={image.thumbUrl} alt={image.prompt} loading="lazy" draggable={false} className="h-full w-full object-cover" />
          </button>
          {image.seed !== null ? <SeedBadge seed={image.seed} /> : null}
          {source ? (
            <span className="pointer-events-none absolute inset-x-0 top-0 truncate bg-black/70 px-2 py-0.5 pl-9 text-xs text-neutral-100" data-testid="card-source">
              {source}
            </span>
          ) : null}
          <label className={`absolute left-1 top-1 z-10 flex items-center rounded bg-black/60 p-1 ${selected || selectMode ? 'opacity-100' : 'opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 pointer-coarse:opacity-100'}`}>
            <input type="checkbox" tabIndex={-1} checked={selected} onChange={(event) => setSelected([image], event.target.checked)} aria-label="Select" data-testid="select-image" className="size-4" />
          </label>
          {/* Always shown on touch screens (no hover there); one tab stop per card: the actions are reached by Alt-keys, the menu and the viewer. */}
          <div className="absolute inset-x-1 bottom-1 flex flex-wrap justify-end gap-1 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100 pointer-coarse:opacity-100" data-testid="card-actions">
            <HoverButton label={image.favorite ? 'Unfavourite (Alt+F)' : 'Favourite (Alt+F)'} pressed={image.favorite} onClick={() => void actions.setFavourite(image, !image.favorite)} testId="card-favorite">
              <Icon name={image.favorite ? 'star-filled' : 'star'} />
            </HoverButton>
            <HoverButton label={image.discarded ? 'Restore (Alt+D)' : 'Discard (Alt+D)'} onClick={() => void actions.setDiscarded(image, !image.discarded)}>
              <Icon name={image.discarded ? 'undo' : 'trash'} />
            </HoverButton>
            <HoverButton label="Use this seed (Alt+S)" onClick={() => applySeed(image)} testId="card-use-seed">
              <Icon name="hash" />
            </HoverButton>
            <HoverButton label="Re-roll (Alt+R)" onClick={() => void actions.reroll(image)}>
              <Icon name="reroll" />
            </HoverButton>
            <HoverButton label="Variations (Alt+V)" onClick={() => void actions.variations(image)}>
              <Icon name="variations" />
            </HoverButton>
            <a href={image.url} download tabIndex={-1} className="grid min-h-7 min-w-7 place-items-center rounded bg-black/70 text-neutral-100 hover:bg-black" aria-label="Download" title="Download">
              <Icon name="download" />
            </a>
          </div>
          {image.favorite ? (
            <span className="pointer-events-none absolute right-1 top-1 text-amber-300 drop-shadow group-hover:hidden" aria-hidden>
              <Icon name="star-filled" className="size-5" />
            </span>
          ) : null}
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="z-50 min-w-52 rounded-md border border-neutral-700 bg-neutral-900 p-1 text-sm shadow-xl" data-testid="image-context-menu">
          <ImageMenuItem onSelect={() => openViewer(image, job)} shortcut="Enter">
            Open
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.setFavourite(image, !image.favorite)} shortcut="Alt+F">
            {image.favorite ? 'Remove favourite' : 'Favourite'}
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.setDiscarded(image, !image.discarded)} shortcut="Alt+D">
            {image.discarded ? 'Restore' : 'Discard'}
          </ImageMenuItem>
          <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
          <ImageMenuItem onSelect={() => applySeed(image)} shortcut="Alt+S">
            Use seed
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => addPrompt(image)} shortcut="Alt+P">
            Use prompt
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => recallSettings(image, job)}>Use all settings</ImageMenuItem>
          <ImageMenuItem onSelect={() => useAsReference(image)}>Use as reference</ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.regenerateWithSeed(image)}>Regenerate with this seed</ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.reroll(image)} shortcut="Alt+R">
            Re-roll (new seed)
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.variations(image)} shortcut="Alt+V">
            Variations (set of 4)
          </ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.variations(image, 'subtle')}>Vary (subtle)</ImageMenuItem>
          <ImageMenuItem onSelect={() => void actions.variations(image, 'strong')}>Vary (strong)</ImageMenuItem>
          {upscaleSizes.map((size, index) => (
            <ImageMenuItem key={size} onSelect={() => void actions.upscale(image, size)} shortcut={index === 0 ? 'Alt+U' : undefined}>
              Upscale to {size}
            </ImageMenuItem>
          ))}
          <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
          <ImageMenuItem onSelect={() => setSelected([image], !selected)} shortcut="Space">
            {selected ? 'Deselect' : 'Select'}
          </ImageMenuItem>
          <ContextMenu.Item asChild className="flex cursor-pointer rounded px-2 py-1.5 outline-none data-[highlighted]:bg-neutral-800">
            <a href={image.url} download>
              Download
            </a>
          </ContextMenu.Item>
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
}

function HoverButton({ label, onClick, children, pressed, testId }: { label: string; onClick: () => void; children: ReactNode; pressed?: boolean; testId?: string }) {
  return (
    <button
      type="button"
      tabIndex={-1}
      onClick={onClick}
      aria-label={label}
      aria-pressed={pressed}
      title={label}
      data-testid={testId}
      className="grid min-h-7 min-w-7 place-items-center rounded bg-black/70 text-neutral-100 hover:bg-black pointer-coarse:min-h-9 pointer-coarse:min-w-9"
    >
      {children}
    </button>
  );
}
