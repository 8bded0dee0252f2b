'use client';
/**
 * 2–4 images side by side with one shared zoom and pan: wheel (or the buttons) zooms every pane
 * around the same point, dragging any pane moves all of them, so the same detail stays lined up.
 */
import { Icon } from '../../_components/icons.js';
import { Dialog } from 'radix-ui';
import { useRef, useState, type PointerEvent as ReactPointerEvent, type WheelEvent } from 'react';
import type { ResultImage } from '../../_lib/api-types.js';

interface View {
  scale: number;
  /** Offset of the image centre from the pane centre, in pane pixels. */
  x: number;
  y: number;
}

const minScale = 1;
const maxScale = 16;

export function CompareDialog({ images, open, onOpenChange }: { images: ResultImage[]; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);

  const zoomAt = (factor: number, paneX: number, paneY: number) =>
    setView((previous) => {
      const scale = Math.min(maxScale, Math.max(minScale, previous.scale * factor));
      const applied = scale / previous.scale;
      // Keep the point under the pointer in place while zooming.
      return scale === 1 ? { scale, x: 0, y: 0 } : { scale, x: paneX - (paneX - previous.x) * applied, y: paneY - (paneY - previous.y) * applied };
    });

  const onWheel = (event: WheelEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? 1.2 : 1 / 1.2, event.clientX - box.left - box.width / 2, event.clientY - box.top - box.height / 2);
  };
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start) return;
    drag.current = { x: event.clientX, y: event.clientY };
    setView((previous) => ({ ...previous, x: previous.x + event.clientX - start.x, y: previous.y + event.clientY - start.y }));
  };

  const columns = images.length <= 2 ? 'sm:grid-cols-2' : images.length === 3 ? 'sm:grid-cols-3' : 'sm:grid-cols-2 lg:grid-cols-4';
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/90" />
        <Dialog.Content className="fixed inset-2 z-50 flex flex-col gap-2 rounded-lg border border-neutral-800 bg-neutral-950 p-3" data-testid="compare-view">
          <div className="flex flex-wrap items-center gap-2">
            <Dialog.Title className="text-sm font-medium">Compare {images.length} images</Dialog.Title>
            <Dialog.Description className="text-xs text-neutral-400">Scroll to zoom, drag to pan — all panes move together.</Dialog.Description>
            <div className="ml-auto flex items-center gap-1 text-sm">
              <button type="button" className="rounded px-2 py-0.5 hover:bg-neutral-800" onClick={() => zoomAt(1 / 1.5, 0, 0)} aria-label="Zoom out">
                <Icon name="minus" />
              </button>
              <span className="w-14 text-center tabular-nums" data-testid="compare-zoom">
                {Math.round(view.scale * 100)}%
              </span>
              <button type="button" className="rounded px-2 py-0.5 hover:bg-neutral-800" onClick={() => zoomAt(1.5, 0, 0)} aria-label="Zoom in">
                +
              </button>
              <button type="button" className="rounded px-2 py-0.5 hover:bg-neutral-800" onClick={() => setView({ scale: 1, x: 0, y: 0 })}>
                Fit
              </button>
              <Dialog.Close className="rounded px-2 py-0.5 hover:bg-neutral-800">Close</Dialog.Close>
            </div>
          </div>
          <div className={`grid min-h-0 flex-1 grid-cols-1 gap-2 ${columns}`}>
            {images.map((image) => (
              <figure key={image.id} className="flex min-h-0 flex-col gap-1" data-testid="compare-pane">
                <div
                  className="relative min-h-0 flex-1 cursor-grab touch-none overflow-hidden rounded border border-neutral-800 bg-black active:cursor-grabbing"
                  onWheel={onWheel}
                  onPointerDown={onPointerDown}
                  onPointerMove={onPointerMove}
                  onPointerUp={() => {
                    drag.current = null;
                  }}
                >
                  <img
                    src={image.url}
                    alt={image.prompt}
                    draggable={false}
                    className="absolute inset-0 h-full w-full select-none object-contain"
                    style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`, transformOrigin: 'center' }}
                    data-testid="compare-image"
                  />
                </div>
                <figcaption className="truncate text-xs text-neutral-400">seed {image.seed ?? '—'}</figcaption>
              </figure>
            ))}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
