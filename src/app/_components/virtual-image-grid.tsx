'use client';
/**
 * A grid of square tiles that stays fast with tens of thousands of images: only the rows in view
 * (plus a couple) exist in the DOM, every cell has its final size before its thumbnail arrives (no
 * layout shift) and is a containment boundary (a new tile never re-lays out the others), a scroll
 * renders only the rows that came into view, and the next page loads while a few screens of loaded
 * rows are still ahead. Thumbnails load eagerly: the virtualiser already limits them to what is
 * near the view, and lazy loading would add intersection work per image.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { Fragment, memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

const gapPx = 8;
/** How many screens of loaded rows ahead of the view trigger the next page. */
const loadAheadScreens = 8;

interface VirtualImageGridProps<Item extends { id: string }> {
  items: readonly Item[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  /** One tile: the grid item itself, which fills its cell (`h-full w-full`) and sets `contain: strict`. */
  renderTile: (item: Item, index: number) => ReactNode;
  /** Accessible name of the grid. */
  label: string;
  minTileWidthPx?: number;
  /** Index of the tile to bring into view (the viewer's current image). */
  scrollToIndex?: number | undefined;
}

export function VirtualImageGrid<Item extends { id: string }>({ items, hasMore, loadingMore, loadMore, renderTile, label, minTileWidthPx = 168, scrollToIndex }: VirtualImageGridProps<Item>) {
  const scrollRef = useRef<HTMLDivElement>(null);
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

  const virtualizer = useVirtualizer({ count: rowCount, getScrollElement: () => scrollRef.current, estimateSize: () => rowPx, overscan: 2 });

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

  return (
    <div
      ref={scrollRef}
      data-testid="image-grid"
      role="region"
      aria-label={label}
      tabIndex={-1}
      className="h-[calc(100dvh-15rem)] min-h-[24rem] overflow-y-auto overscroll-contain rounded-xl [contain:strict]"
    >
      <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((row) => {
          const start = row.index * columns;
          return <GridRow key={row.key} startPx={row.start} firstIndex={start} rowItems={items.slice(start, start + columns)} columns={columns} tilePx={tilePx} renderTile={renderTile} />;
        })}
      </div>
    </div>
  );
}

interface GridRowProps<Item extends { id: string }> {
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

function GridRowContent<Item extends { id: string }>({ startPx, firstIndex, rowItems, columns, tilePx, renderTile }: GridRowProps<Item>) {
  return (
    // The tile is the grid item itself (no wrapper per cell: one element less per tile mounted while
    // flinging); the one row track of `tilePx` gives it its size, and the tile is its own containment boundary.
    <div className="absolute left-0 top-0 grid w-full" style={{ transform: `translateY(${startPx}px)`, height: tilePx, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gridTemplateRows: `${tilePx}px`, gap: gapPx }}>
      {rowItems.length > 0
        ? rowItems.map((item, offset) => <Fragment key={item.id}>{renderTile(item, firstIndex + offset)}</Fragment>)
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
  if (previous.startPx !== next.startPx || previous.firstIndex !== next.firstIndex || previous.columns !== next.columns || previous.tilePx !== next.tilePx || previous.renderTile !== next.renderTile) return false;
  if (previous.rowItems.length !== next.rowItems.length) return false;
  return previous.rowItems.every((item, offset) => item === next.rowItems[offset]);
}) as typeof GridRowContent;
