'use client';
/**
 * A grid of square tiles that stays fast with tens of thousands of images: only the rows in view
 * (plus a couple) exist in the DOM, every cell has its final size before its thumbnail arrives (no
 * layout shift) and is a containment boundary (a new tile never re-lays out the others), a scroll
 * renders only the rows that came into view, into the elements of the row that left (rows are
 * recycled: `_lib/recycled-row-window.ts`), and the next page loads while a few screens of loaded
 * rows are still ahead. Thumbnails load eagerly: the virtualiser already limits them to what is
 * near the view, and lazy loading would add intersection work per image.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { Fragment, memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { placeChildrenInOrder } from '../_lib/place-children-in-order.js';
import { recycledRowWindow } from '../_lib/recycled-row-window.js';

const gapPx = 8;
/** Rows rendered beyond each edge of the view. */
const overscanRows = 2;
/** The attribute a row carries with its list index, for putting the rows in document order. */
const rowIndexAttribute = 'data-row-index';
/** How many screens of loaded rows ahead of the view trigger the next page. */
const loadAheadScreens = 8;

interface VirtualImageGridProps<Item extends { id: string }> {
  items: readonly Item[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  /**
   * One tile: the grid item itself, which fills its cell (`h-full w-full`) and sets `contain: strict`.
   * Rows are recycled, so the tile a call returns may be rendered into the elements of another
   * image's tile: it must take everything from its props, and key what must not carry over from
   * one image to the next (the thumbnail `<img>`) by the image.
   */
  renderTile: (item: Item, index: number) => ReactNode;
  /** Accessible name of the grid. */
  label: string;
  minTileWidthPx?: number;
  /** Index of the tile to bring into view (the viewer's current image). */
  scrollToIndex?: number | undefined;
}

export function VirtualImageGrid<Item extends { id: string }>({ items, hasMore, loadingMore, loadMore, renderTile, label, minTileWidthPx = 168, scrollToIndex }: VirtualImageGridProps<Item>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
  const [widthPx, setWidthPx] = useState(0);
  const [heightPx, setHeightPx] = useState(0);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return undefined;
    const measure = () => {
      setWidthPx(element.clientWidth);
      setHeightPx(element.clientHeight);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const columns = Math.max(2, Math.floor((widthPx + gapPx) / (minTileWidthPx + gapPx)));
  const tilePx = widthPx > 0 ? (widthPx - gapPx * (columns - 1)) / columns : minTileWidthPx;
  const rowPx = tilePx + gapPx;
  const rowCount = Math.ceil(items.length / columns) + (hasMore ? 1 : 0);

  // No `flushSync`: the virtualiser's scroll callback would otherwise render the row that came into
  // view synchronously inside the scroll event, in the frame being drawn, and a frame with a row
  // to mount then took two vsyncs (issue 20). As an ordinary update it renders in React's scheduler
  // task after the frame is drawn; the row shows one frame later, inside the overscan (decision 0046,
  // amendment 3).
  const virtualizer = useVirtualizer({ count: rowCount, getScrollElement: () => scrollRef.current, estimateSize: () => rowPx, overscan: overscanRows, useFlushSync: false });

  useEffect(() => {
    virtualizer.measure();
  }, [rowPx, virtualizer]);

  const virtualRows = virtualizer.getVirtualItems();
  const lastRowInView = virtualRows[virtualRows.length - 1]?.index ?? 0;
  // The next page is asked for while a few screens of loaded rows are still ahead, so a fling
  // rarely reaches the end of what is loaded and waits there.
  const loadAheadRows = Math.max(3, Math.ceil((loadAheadScreens * heightPx) / rowPx));
  useEffect(() => {
    if (hasMore && !loadingMore && lastRowInView >= rowCount - loadAheadRows) loadMore();
  }, [hasMore, loadingMore, lastRowInView, rowCount, loadAheadRows, loadMore]);

  useEffect(() => {
    if (scrollToIndex !== undefined && scrollToIndex >= 0) virtualizer.scrollToIndex(Math.floor(scrollToIndex / columns), { align: 'auto' });
  }, [scrollToIndex, columns, virtualizer]);

  const windowRows = recycledRowWindow({ firstWantedIndex: virtualRows[0]?.index ?? 0, wantedCount: virtualRows.length, rowCount, viewportPx: heightPx, rowPx, overscanRows });
  const rowOrder = windowRows.map((row) => row.index).join(',');

  const isScrolling = virtualizer.isScrolling;

  // React keeps the rows in slot order (so it never moves one); the document follows the rows on
  // screen, for the tab order and screen readers, once the scroll stops (the virtualiser says so
  // 150 ms after the last scroll event). Not during it: a row moved in the document is restyled
  // whole, as if mounted, where a row recycled in place restyles only its new thumbnails.
  useLayoutEffect(() => {
    const container = rowsRef.current;
    if (!container || isScrolling) return;
    const rows = Array.from(container.children).sort((left, right) => Number(left.getAttribute(rowIndexAttribute)) - Number(right.getAttribute(rowIndexAttribute)));
    placeChildrenInOrder(container, rows);
  }, [rowOrder, isScrolling]);

  return (
    <div
      ref={scrollRef}
      data-testid="image-grid"
      role="region"
      aria-label={label}
      tabIndex={-1}
      className="h-[calc(100dvh-15rem)] min-h-[24rem] overflow-y-auto overscroll-contain rounded-xl [contain:strict]"
    >
      <div ref={rowsRef} className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {windowRows.map((row) => {
          const start = row.index * columns;
          return <GridRow key={row.slot} rowIndex={row.index} startPx={row.index * rowPx} firstIndex={start} rowItems={items.slice(start, start + columns)} columns={columns} tilePx={tilePx} renderTile={renderTile} />;
        })}
      </div>
    </div>
  );
}

interface GridRowProps<Item extends { id: string }> {
  /** The row's index in the list. */
  rowIndex: number;
  /** The row's offset from the top of the list, px. */
  startPx: number;
  /** The list index of the row's first tile. */
  firstIndex: number;
  /** The row's items; empty for the placeholder row of a page still loading. */
  rowItems: readonly Item[];
  columns: number;
  tilePx: number;
  renderTile: (item: Item, index: number) => ReactNode;
}

function GridRowContent<Item extends { id: string }>({ rowIndex, startPx, firstIndex, rowItems, columns, tilePx, renderTile }: GridRowProps<Item>) {
  const rowRef = useRef<HTMLDivElement>(null);
  const shownIndex = useRef(rowIndex);
  // A recycled row now shows other images: a button focused in it would now name another image,
  // so it gives up the focus, as it did when the row was unmounted.
  useLayoutEffect(() => {
    if (shownIndex.current === rowIndex) return;
    shownIndex.current = rowIndex;
    const focused = document.activeElement;
    if (focused instanceof HTMLElement && rowRef.current?.contains(focused)) focused.blur();
  }, [rowIndex]);
  return (
    // The tile is the grid item itself (no wrapper per cell: one element less per tile mounted while
    // flinging); the one row track of `tilePx` gives it its size, and the tile is its own containment boundary.
    // Tiles are keyed by their column, so a recycled row updates the tiles it has (decision 0046).
    <div
      ref={rowRef}
      data-row-index={rowIndex}
      className="absolute left-0 top-0 grid w-full"
      style={{ transform: `translateY(${startPx}px)`, height: tilePx, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gridTemplateRows: `${tilePx}px`, gap: gapPx }}
    >
      {rowItems.length > 0
        ? rowItems.map((item, offset) => <Fragment key={offset}>{renderTile(item, firstIndex + offset)}</Fragment>)
        : Array.from({ length: columns }, (_, offset) => <div key={offset} aria-hidden className="animate-pulse rounded-lg bg-neutral-900" />)}
    </div>
  );
}

/**
 * The virtualiser re-renders the grid on every scroll event, though a row's content and place only
 * change when its items, the layout or the tile renderer do: rows compare those (the items one by
 * one, since each render slices a new array) and skip the rest, so a scroll renders only the rows
 * that came into view (issue 20's profile: a third of a fling's script time went to re-rendering unchanged rows).
 */
const GridRow = memo(GridRowContent, (previous, next) => {
  if (previous.rowIndex !== next.rowIndex || previous.startPx !== next.startPx || previous.firstIndex !== next.firstIndex || previous.columns !== next.columns || previous.tilePx !== next.tilePx || previous.renderTile !== next.renderTile) return false;
  if (previous.rowItems.length !== next.rowItems.length) return false;
  return previous.rowItems.every((item, offset) => item === next.rowItems[offset]);
}) as typeof GridRowContent;
