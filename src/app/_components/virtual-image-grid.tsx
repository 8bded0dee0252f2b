'use client';
/**
 * A grid of square tiles that stays fast with tens of thousands of images: only the rows in view
 * (plus a couple) exist in the DOM, every cell has its final size before its thumbnail arrives (no
 * layout shift) and is a containment boundary (a new tile never re-lays out the others), and the
 * next page loads as the end comes into view. Thumbnails load eagerly: the virtualiser already
 * limits them to what is near the view, and lazy loading would add intersection work per image.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

const gapPx = 8;

interface VirtualImageGridProps<Item extends { id: string }> {
  items: readonly Item[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
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

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return undefined;
    const measure = () => setWidthPx(element.clientWidth);
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
  useEffect(() => {
    if (hasMore && !loadingMore && lastRowInView >= rowCount - 3) loadMore();
  }, [hasMore, loadingMore, lastRowInView, rowCount, loadMore]);

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
          const rowItems = items.slice(start, start + columns);
          return (
            <div
              key={row.key}
              className="absolute left-0 top-0 grid w-full"
              style={{ transform: `translateY(${row.start}px)`, height: tilePx, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: gapPx }}
            >
              {rowItems.length > 0
                ? rowItems.map((item, offset) => (
                    <div key={item.id} className="relative [contain:strict]" style={{ height: tilePx }}>
                      {renderTile(item, start + offset)}
                    </div>
                  ))
                : Array.from({ length: columns }, (_, offset) => <div key={offset} aria-hidden className="animate-pulse rounded-lg bg-neutral-900" style={{ height: tilePx }} />)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
