'use client';
/**
 * The right-click (long-press on touch, Shift+F10 or the context-menu key) menu of the image tiles
 * on the job page and in the gallery: the viewer's actions without opening it. One menu serves a
 * whole grid: it wraps the grid and opens for the tile the event came from (its
 * `data-image-index`), so a tile scrolling into view mounts no menu of its own (decision 0046:
 * a Radix menu per tile was a large share of the cost of mounting a row while flinging). Not
 * modal: a modal menu hides the page with aria-hidden while its links stay focusable (axe:
 * aria-hidden-focus).
 */
import { ContextMenu } from 'radix-ui';
import { useState, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import type { ResultImage } from '../_lib/api-types.js';
import type { ViewerActions } from './image-viewer.js';

/** The attribute a tile (`image-tile.tsx`) carries with its list index, so the grid's one menu knows which image it is for. */
const imageIndexAttribute = 'data-image-index';

interface ImageGridContextMenuProps {
  /** The grid's images, in the order of the indexes the tiles carry. */
  images: readonly ResultImage[];
  actions?: ViewerActions | undefined;
  /** "Open": the viewer on the image at this index. */
  onOpen: (index: number) => void;
  onToggleFavorite: (image: ResultImage) => void;
  /** Ids of the selected images; present where the list has a selection. */
  selectedIds?: ReadonlySet<string> | undefined;
  onToggleSelected?: ((index: number) => void) | undefined;
  /** The grid: the menu opens on any tile inside it. */
  children: ReactNode;
}

/** The image a menu event came from: its index and id (the id guards against a list that changed under the tile). */
interface MenuTarget {
  index: number;
  id: string;
}

function targetOf(eventTarget: EventTarget): MenuTarget | undefined {
  if (!(eventTarget instanceof Element)) return undefined;
  const tile = eventTarget.closest(`[${imageIndexAttribute}]`);
  const index = Number(tile?.getAttribute(imageIndexAttribute));
  const id = tile?.getAttribute('data-image-id');
  return tile && Number.isInteger(index) && id ? { index, id } : undefined;
}

export function ImageGridContextMenu({ images, actions, onOpen, onToggleFavorite, selectedIds, onToggleSelected, children }: ImageGridContextMenuProps) {
  const [target, setTarget] = useState<MenuTarget>();
  // The image as it is now (a favourite toggled while the menu is open shows at once); found by id
  // if the list moved under it.
  const image = target ? (images[target.index]?.id === target.id ? images[target.index] : images.find((candidate) => candidate.id === target.id)) : undefined;
  const index = image && target ? (images[target.index] === image ? target.index : images.indexOf(image)) : -1;

  // Runs before Radix's own handler: outside a tile (a gap, the loading row) the default is
  // prevented, which also keeps Radix from opening a menu for no image.
  const aim = (event: MouseEvent | PointerEvent) => {
    const next = targetOf(event.target);
    if (!next) {
      event.preventDefault();
      return;
    }
    if (next.index !== target?.index || next.id !== target.id) setTarget(next);
  };

  return (
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild onContextMenu={aim} onPointerDown={(event) => event.pointerType !== 'mouse' && aim(event)}>
        <div>{children}</div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="z-50 min-w-52 rounded-md border border-neutral-700 bg-neutral-900 p-1 text-sm text-neutral-100 shadow-xl" data-testid="image-context-menu">
          {image ? (
            <ImageMenuEntries
              image={image}
              actions={actions}
              onOpen={() => onOpen(index)}
              onToggleFavorite={() => onToggleFavorite(image)}
              selected={selectedIds?.has(image.id)}
              onToggleSelected={onToggleSelected ? () => onToggleSelected(index) : undefined}
            />
          ) : null}
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
}

interface ImageMenuEntriesProps {
  image: ResultImage;
  actions: ViewerActions | undefined;
  onOpen: () => void;
  onToggleFavorite: () => void;
  selected: boolean | undefined;
  onToggleSelected: (() => void) | undefined;
}

function ImageMenuEntries({ image, actions, onOpen, onToggleFavorite, selected, onToggleSelected }: ImageMenuEntriesProps) {
  const upscaleSizes = actions ? actions.upscaleSizes(image) : [];
  return (
    <>
      <ImageMenuItem onSelect={onOpen}>Open</ImageMenuItem>
      <ImageMenuItem onSelect={onToggleFavorite}>{image.favorite ? 'Remove favourite' : 'Favourite'}</ImageMenuItem>
      {actions?.setDiscarded ? <ImageMenuItem onSelect={() => actions.setDiscarded?.(image, !image.discarded)}>{image.discarded ? 'Restore' : 'Discard'}</ImageMenuItem> : null}
      {actions?.useSeed || actions?.usePrompt || actions?.recallSettings || actions?.useAsReference ? <ContextMenu.Separator className="my-1 h-px bg-neutral-800" /> : null}
      {actions?.useSeed && image.seed !== null ? <ImageMenuItem onSelect={() => actions.useSeed?.(image)}>Use seed</ImageMenuItem> : null}
      {actions?.usePrompt ? <ImageMenuItem onSelect={() => actions.usePrompt?.(image)}>Use prompt</ImageMenuItem> : null}
      {actions?.recallSettings ? <ImageMenuItem onSelect={() => actions.recallSettings?.(image)}>Use all settings</ImageMenuItem> : null}
      {actions?.useAsReference ? <ImageMenuItem onSelect={() => actions.useAsReference?.(image)}>Use as reference</ImageMenuItem> : null}
      {actions ? (
        <>
          <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
          {actions.regenerateWithSeed && image.seed !== null ? <ImageMenuItem onSelect={() => actions.regenerateWithSeed?.(image)}>Regenerate with this seed</ImageMenuItem> : null}
          <ImageMenuItem onSelect={() => actions.reroll(image)}>Re-roll (new seed)</ImageMenuItem>
          <ImageMenuItem onSelect={() => actions.variations(image)}>Variations (set of 4)</ImageMenuItem>
          <ImageMenuItem onSelect={() => actions.variations(image, 'subtle')}>Vary (subtle)</ImageMenuItem>
          <ImageMenuItem onSelect={() => actions.variations(image, 'strong')}>Vary (strong)</ImageMenuItem>
          {upscaleSizes.map((size) => (
            <ImageMenuItem key={size} onSelect={() => actions.upscale(image, size)}>
              Upscale to {size}
            </ImageMenuItem>
          ))}
        </>
      ) : null}
      <ContextMenu.Separator className="my-1 h-px bg-neutral-800" />
      {onToggleSelected ? <ImageMenuItem onSelect={onToggleSelected}>{selected ? 'Deselect' : 'Select'}</ImageMenuItem> : null}
      <ContextMenu.Item asChild className="flex cursor-pointer rounded px-2 py-1.5 outline-none data-[highlighted]:bg-neutral-800">
        <a href={image.url} download>
          Download
        </a>
      </ContextMenu.Item>
    </>
  );
}

/** One entry of an image's context menu (shared with the Studio's cards). */
export function ImageMenuItem({ onSelect, shortcut, children }: { onSelect: () => void; shortcut?: string | undefined; children: ReactNode }) {
  return (
    <ContextMenu.Item onSelect={onSelect} className="flex cursor-pointer items-center justify-between gap-4 rounded px-2 py-1.5 outline-none data-[highlighted]:bg-neutral-800">
      <span>{children}</span>
      {shortcut ? <kbd className="text-xs text-neutral-400">{shortcut}</kbd> : null}
    </ContextMenu.Item>
  );
}
