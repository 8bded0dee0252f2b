'use client';
/**
 * One image of a set. While its call runs: a placeholder with a progress bar and percentage (live
 * `task.progress`), its planned seed and a cancel button. Then the WebP thumbnail with its seed in
 * a corner, hover buttons, a context menu and keyboard shortcuts:
 * F favourite · D discard · S use seed · R re-roll · V variations · U upscale · Enter open · X select.
 */
import { useMutation } from '@tanstack/react-query';
import { ContextMenu } from 'radix-ui';
import type { KeyboardEvent, ReactNode } from 'react';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { ResultImage, TaskCancel } from '../../_lib/api-types.js';
import { formatPercent } from '../../_lib/format.js';
import { useFeedContext } from './feed-context.js';
import { cssAspectRatio, type FeedJobInfo, type FeedSlot } from './feed-image.js';
import { useLiveTaskFraction } from './task-progress.js';

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

function ImageCard({ image, job }: { image: ResultImage; job: FeedJobInfo }) {
  const { actions, selectedIds, setSelected, openViewer, copySeedToComposer, upscaleSizesFor } = useFeedContext();
  const selected = selectedIds.has(image.id);
  const upscaleSizes = upscaleSizesFor(job);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'f') void actions.setFavourite(image, !image.favorite);
    else if (key === 'd' || key === 'delete') void actions.setDiscarded(image, !image.discarded);
    else if (key === 's') copySeedToComposer(image, job);
    else if (key === 'r') void actions.reroll(image);
    else if (key === 'v') void actions.variations(image);
    else if (key === 'u' && upscaleSizes[0]) void actions.upscale(image, upscaleSizes[0]);
    else if (key === 'enter') openViewer(image, job);
    else if (key === 'x' || key === ' ') setSelected([image], !selected);
    else return;
    event.preventDefault();
  };

  return (
    <ContextMenu.Root>
      <ContextMenu.Trigger asChild>
        <div
          tabIndex={0}
          role="group"
          aria-label={`Image, seed ${image.seed ?? 'none'}${image.favorite ? ', favourite' : ''}${image.discarded ? ', discarded' : ''}`}
          data-testid="image-card"
          data-image-id={image.id}
          data-seed={image.seed ?? ''}
          data-favorite={image.favorite}
          onKeyDown={onKeyDown}
          className={`group relative overflow-hidden rounded-md border bg-neutral-900 outline-none focus-visible:ring-2 focus-visible:ring-sky-400 ${selected ? 'border-sky-400 ring-2 ring-sky-400' : 'border-neutral-800'} ${image.discarded ? 'opacity-40' : ''}`}
          style={{ aspectRatio: `${image.width} / ${image.height}` }}
        >
          <button type="button" className="block h-full w-full" onClick={() => openViewer(image, job)} aria-label="Open in the viewer" tabIndex={-1}>
            <img src={image.thumbUrl} alt={image.prompt} loading="lazy" className="h-full w-full object-cover" />
          </button>
          {image.seed !== null ? <SeedBadge seed={image.seed} /> : null}
          {image.favorite ? (
            <span className="absolute right-1 top-1 text-lg text-amber-300 drop-shadow" aria-hidden>
              ★
            </span>
          ) : null}
          <label className={`absolute left-1 top-1 flex items-center rounded bg-black/60 p-1 ${selected ? 'opacity-100' : 'opacity-0 group-focus-within:opacity-100 group-hover:opacity-100'}`}>
            <input type="checkbox" checked={selected} onChange={(event) => setSelected([image], event.target.checked)} aria-label="Select" data-testid="select-image" />
          </label>
          <div className="absolute inset-x-1 bottom-1 flex flex-wrap justify-end gap-1 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100">
            <HoverButton label={image.favorite ? 'Unfavourite (F)' : 'Favourite (F)'} onClick={() => void actions.setFavourite(image, !image.favorite)}>
              {image.favorite ? '★' : '☆'}
            </HoverButton>
            <HoverButton label={image.discarded ? 'Restore (D)' : 'Discard (D)'} onClick={() => void actions.setDiscarded(image, !image.discarded)}>
              {image.discarded ? '↩' : '🗑'}
            </HoverButton>
            <HoverButton label="Use this seed in the composer (S)" onClick={() => copySeedToComposer(image, job)}>
              #
            </HoverButton>
            <HoverButton label="Re-roll (R)" onClick={() => void actions.reroll(image)}>
              ↻
            </HoverButton>
            <HoverButton label="Variations (V)" onClick={() => void actions.variations(image)}>
              ⧉
            </HoverButton>
            <a href={image.url} download className="rounded bg-black/70 px-1.5 py-0.5 text-sm text-neutral-100 hover:bg-black" aria-label="Download" title="Download">
              ⤓
            </a>
          </div>
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="z-50 min-w-52 rounded-md border border-neutral-700 bg-neutral-900 p-1 text-sm shadow-xl" data-testid="image-context-menu">
          <MenuItem onSelect={() => openViewer(image, job)} shortcut="Enter">
            Open
          </MenuItem>
          <MenuItem onSelect={() => void actions.setFavourite(image, !image.favorite)} shortcut="F">
            {image.favorite ? 'Remove favourite' : 'Favourite'}
          </MenuItem>
          <MenuItem onSelect={() => void actions.setDiscarded(image, !image.discarded)} shortcut="D">
            {image.discarded ? 'Restore' : 'Discard'}
          </MenuItem>
          <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
          <MenuItem onSelect={() => copySeedToComposer(image, job)} shortcut="S">
            Regenerate with this seed…
          </MenuItem>
          <MenuItem onSelect={() => void actions.reroll(image)} shortcut="R">
            Re-roll (new seed)
          </MenuItem>
          <MenuItem onSelect={() => void actions.variations(image)} shortcut="V">
            Variations (set of 4)
          </MenuItem>
          {upscaleSizes.map((size, index) => (
            <MenuItem key={size} onSelect={() => void actions.upscale(image, size)} shortcut={index === 0 ? 'U' : undefined}>
              Upscale to {size}
            </MenuItem>
          ))}
          <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
          <MenuItem onSelect={() => setSelected([image], !selected)} shortcut="X">
            {selected ? 'Deselect' : 'Select'}
          </MenuItem>
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

function HoverButton({ label, onClick, children }: { label: string; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" onClick={onClick} aria-label={label} title={label} className="rounded bg-black/70 px-1.5 py-0.5 text-sm text-neutral-100 hover:bg-black">
      {children}
    </button>
  );
}

function MenuItem({ onSelect, shortcut, children }: { onSelect: () => void; shortcut?: string | undefined; children: ReactNode }) {
  return (
    <ContextMenu.Item onSelect={onSelect} className="flex cursor-pointer items-center justify-between gap-4 rounded px-2 py-1.5 outline-none data-[highlighted]:bg-neutral-800">
      <span>{children}</span>
      {shortcut ? <kbd className="text-xs text-neutral-500">{shortcut}</kbd> : null}
    </ContextMenu.Item>
  );
}
