'use client';
/**
 * One thumbnail in a grid: opens the viewer, shows and toggles the favourite star and (in galleries
 * and on the job page) a selection checkbox. The thumbnail fills a fixed square, so nothing moves
 * as it loads. Its right-click menu is the grid's one `ImageGridContextMenu`, which finds the tile
 * by its `data-image-index`: a tile mounts no menu of its own (decision 0046). The grid recycles
 * rows, so one tile element shows image after image as the list scrolls: everything here comes from
 * the props, and only the thumbnail `<img>` is made anew per image (`_lib/show-thumbnail.ts`).
 */
import { memo, useCallback, useLayoutEffect, useRef, type MouseEvent } from 'react';
import type { ResultImage } from '../_lib/api-types.js';
import { showThumbnail } from '../_lib/show-thumbnail.js';
import { Icon } from './icons.js';
import { sourceLabel } from './source-label.js';

interface ImageTileProps {
  image: ResultImage;
  index: number;
  /** A click on the picture: opens the viewer, or selects while a selection is open. */
  onOpen: (index: number, modifiers: TileModifiers) => void;
  onToggleFavorite: (image: ResultImage) => void;
  /** Present in lists with selection. */
  selected?: boolean | undefined;
  onSelect?: ((index: number, modifiers: TileModifiers) => void) | undefined;
}

/** The keys held during a click (a context-menu entry holds none). */
export interface TileModifiers {
  shiftKey: boolean;
  metaKey: boolean;
  ctrlKey: boolean;
}

/** A context-menu entry's modifiers: none held. */
export const noModifiers: TileModifiers = { shiftKey: false, metaKey: false, ctrlKey: false };

// The icons as constant elements: a tile re-rendered with another image skips them whole unless
// the star changes.
const starIcon = <Icon name="star" />;
const filledStarIcon = <Icon name="star-filled" />;
const checkIcon = <Icon name="check" className="size-3.5" />;

/**
 * The thumbnail's look lives on its button (`[&>img]:…`), not on the `<img>`: a recycled tile creates
 * one `<img>` per image, and each attribute on it is a write while flinging. Left on the `<img>` are
 * what differs per image (`src`) and what has no CSS equivalent (`alt`, `decoding`);
 * `-webkit-user-drag: none` stands in for `draggable="false"`.
 */
const thumbnailButtonClass =
  'block h-full w-full focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-violet-400 [&>img]:h-full [&>img]:w-full [&>img]:object-cover [&>img]:[-webkit-user-drag:none]';

/** Memoised: a new page or a selection change re-renders only the tiles whose props changed. */
export const ImageTile = memo(function ImageTile({ image, index, onOpen, onToggleFavorite, selected, onSelect }: ImageTileProps) {
  const source = sourceLabel(image);
  // The buttons' handlers stay the same functions while a recycled tile shows image after image
  // (they read the image and index shown through this ref): React writes a changed `onClick` to
  // the element (`onclick`), which would be three writes per tile for every row scrolled into view.
  const shown = useRef({ image, index });
  // Set when the tile commits, not while it renders: a render React throws away must not retarget the handlers.
  useLayoutEffect(() => {
    shown.current = { image, index };
  });
  const open = useCallback((event: MouseEvent) => onOpen(shown.current.index, event), [onOpen]);
  const select = useCallback((event: MouseEvent) => onSelect?.(shown.current.index, event), [onSelect]);
  const toggleFavorite = useCallback(() => onToggleFavorite(shown.current.image), [onToggleFavorite]);
  // A new <img> per image, not a changed src: Chromium keeps showing the previous picture while a
  // changed src loads, so a recycled tile would show another image for a moment.
  const openButton = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => (openButton.current ? showThumbnail(openButton.current, image.thumbUrl) : undefined), [image.thumbUrl]);
  return (
    <div
      data-testid="image-tile"
      data-image-id={image.id}
      data-image-index={index}
      data-selected={selected ? 'true' : undefined}
      className={`group relative h-full w-full overflow-hidden rounded-lg bg-neutral-900 ring-inset [contain:strict] ${selected ? 'ring-2 ring-violet-400' : 'ring-1 ring-neutral-800 hover:ring-neutral-600'}`}
    >
      <button
        ref={openButton}
        type="button"
        onClick={open}
        aria-label={`Open image ${index + 1}${source ? ` from ${source}` : ''}: ${image.prompt}`}
        className={thumbnailButtonClass}
      />
      {source ? (
        <span className="pointer-events-none absolute inset-x-0 bottom-0 truncate bg-black/75 px-2 py-1 text-left text-xs text-neutral-100" data-testid="tile-source" title={source}>
          {source}
        </span>
      ) : null}
      {onSelect ? (
        <button
          type="button"
          role="checkbox"
          aria-checked={selected ?? false}
          aria-label={`Select image ${index + 1}`}
          onClick={select}
          className={`absolute left-2 top-2 grid size-6 place-items-center rounded-md border text-xs transition focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-violet-400 ${
            selected ? 'border-violet-300 bg-violet-500 text-white opacity-100' : 'border-white/60 bg-black/40 text-transparent opacity-0 group-hover:opacity-100 pointer-coarse:opacity-100'
          }`}
        >
          {/* Unselected, the box is empty (its tick would be transparent): no icon to mount. */}
          {selected ? checkIcon : null}
        </button>
      ) : null}
      <button
        type="button"
        aria-pressed={image.favorite}
        aria-label={image.favorite ? 'Remove from favourites' : 'Add to favourites'}
        onClick={toggleFavorite}
        className={`absolute right-2 top-2 grid size-7 place-items-center rounded-full bg-black/50 transition focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-violet-400 ${
          image.favorite ? 'text-amber-300 opacity-100' : 'text-white/80 opacity-0 group-hover:opacity-100 pointer-coarse:opacity-100'
        }`}
      >
        {image.favorite ? filledStarIcon : starIcon}
      </button>
    </div>
  );
});
