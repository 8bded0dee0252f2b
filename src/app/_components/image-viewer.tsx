'use client';
/**
 * The full-size viewer (a Radix dialog): ← and → move through the list, F marks the favourite, Esc
 * closes. Beside the picture: prompt, seed, model, size, references and cost.
 */
import type { Route } from 'next';
import Link from 'next/link';
import { Dialog } from 'radix-ui';
import { useEffect, type KeyboardEvent } from 'react';
import type { ResultImage } from '../_lib/api-types.js';
import { formatBytes, formatTime, formatUsd } from '../_lib/format.js';
import { Button, buttonClasses } from './button.js';
import { Icon } from './icons.js';
import { sourceLabel } from './source-label.js';

interface ImageViewerProps {
  images: readonly ResultImage[];
  /** The open image's index; null when closed. */
  index: number | null;
  onIndexChange: (index: number | null) => void;
  onToggleFavorite: (image: ResultImage) => void;
  hasMore: boolean;
  loadMore: () => void;
}

export function ImageViewer({ images, index, onIndexChange, onToggleFavorite, hasMore, loadMore }: ImageViewerProps) {
  const image = index === null ? undefined : images[index];
  const last = images.length - 1;

  // Near the end of what is loaded, fetch the next page so → keeps going.
  useEffect(() => {
    if (index !== null && hasMore && index >= last - 2) loadMore();
  }, [index, last, hasMore, loadMore]);

  const move = (step: number) => {
    if (index === null) return;
    const next = index + step;
    if (next >= 0 && next <= last) onIndexChange(next);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'ArrowRight') {
      event.preventDefault();
      move(1);
    } else if (event.key === 'ArrowLeft') {
      event.preventDefault();
      move(-1);
    } else if ((event.key === 'f' || event.key === 'F') && image) {
      event.preventDefault();
      onToggleFavorite(image);
    }
  };

  return (
    <Dialog.Root open={image !== undefined} onOpenChange={(open) => (open ? undefined : onIndexChange(null))}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/85 backdrop-blur-sm" />
        <Dialog.Content
          onKeyDown={onKeyDown}
          data-testid="image-viewer"
          aria-describedby={undefined}
          className="fixed inset-0 z-50 flex flex-col gap-0 outline-none lg:flex-row"
        >
          {image ? (
            <>
              <div className="relative flex min-h-0 flex-1 items-center justify-center p-3 sm:p-6">
                {/* The picture is contained in a fixed box: moving between images never shifts the panel. */}
                <img key={image.id} src={image.url} alt={image.prompt} className="max-h-full max-w-full rounded-lg object-contain shadow-2xl" />
                <Button aria-label="Previous image (←)" className="absolute left-3 top-1/2 -translate-y-1/2" variant="secondary" disabled={index === 0} onClick={() => move(-1)}>
                  <Icon name="arrow-left" />
                </Button>
                <Button aria-label="Next image (→)" className="absolute right-3 top-1/2 -translate-y-1/2" variant="secondary" disabled={index === last} onClick={() => move(1)}>
                  <Icon name="arrow-right" />
                </Button>
              </div>
              <aside className="flex max-h-[45vh] w-full shrink-0 flex-col gap-4 overflow-y-auto border-t border-neutral-800 bg-neutral-950 p-5 lg:max-h-none lg:w-96 lg:border-l lg:border-t-0">
                <div className="flex items-start justify-between gap-3">
                  <Dialog.Title className="text-sm font-medium text-neutral-400">
                    Image {(index ?? 0) + 1} of {images.length}
                    {hasMore ? '+' : ''}
                  </Dialog.Title>
                  <Dialog.Close className={buttonClasses('ghost', 'small')} aria-label="Close (Esc)">
                    <Icon name="close" />
                  </Dialog.Close>
                </div>
                {sourceLabel(image) ? (
                  <p className="text-sm text-neutral-300">
                    From <span className="font-medium text-neutral-100" data-testid="viewer-source">{sourceLabel(image)}</span>
                  </p>
                ) : null}
                <p className="whitespace-pre-wrap text-base text-neutral-100" data-testid="viewer-prompt">
                  {image.prompt}
                </p>
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                  <dt className="text-neutral-400">Seed</dt>
                  <dd className="font-mono">{image.seed ?? 'n/a (this model has no seeds)'}</dd>
                  <dt className="text-neutral-400">Model</dt>
                  <dd>{image.model ? `${image.model}${image.provider ? ` (${image.provider})` : ''}` : '—'}</dd>
                  <dt className="text-neutral-400">Size</dt>
                  <dd>
                    {image.width} × {image.height} px · {formatBytes(image.byteSize)}
                  </dd>
                  <dt className="text-neutral-400">Cost</dt>
                  <dd>{image.costUsd === undefined ? 'not reported' : formatUsd(image.costUsd)}</dd>
                  <dt className="text-neutral-400">References</dt>
                  <dd data-testid="viewer-references">
                    {image.referenceIds.length === 0 ? (
                      <span className="text-neutral-300">none (text to image)</span>
                    ) : (
                      <ul className="flex flex-wrap gap-2">
                        {image.referenceIds.map((referenceId, position) => (
                          <li key={referenceId} className="w-20">
                            <a href={`/api/uploads/${encodeURIComponent(referenceId)}`} target="_blank" rel="noreferrer" className="block rounded focus-visible:outline-2 focus-visible:outline-violet-400">
                              <img
                                src={`/api/uploads/${encodeURIComponent(referenceId)}/thumb`}
                                alt={image.referenceNames?.[position] ?? `Reference ${position + 1}`}
                                width={56}
                                height={56}
                                className="h-14 w-14 rounded border border-neutral-700 object-cover"
                              />
                              {image.referenceNames?.[position] ? <span className="mt-1 block truncate text-xs text-neutral-300" title={image.referenceNames[position]}>{image.referenceNames[position]}</span> : null}
                            </a>
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                  <dt className="text-neutral-400">Made</dt>
                  <dd>{formatTime(image.createdAt)}</dd>
                </dl>
                <div className="flex flex-wrap gap-2">
                  <Button variant={image.favorite ? 'primary' : 'secondary'} aria-pressed={image.favorite} onClick={() => onToggleFavorite(image)} data-testid="viewer-favorite">
                    <Icon name={image.favorite ? 'star-filled' : 'star'} /> Favourite <kbd className="text-xs opacity-70">F</kbd>
                  </Button>
                  <a href={image.url} target="_blank" rel="noreferrer" className={buttonClasses('secondary')}>
                    Open original
                  </a>
                  <Link href={`/jobs/${encodeURIComponent(image.jobId)}` as Route} className={buttonClasses('ghost')}>
                    Its job
                  </Link>
                </div>
                <p className="mt-auto text-xs text-neutral-400">← → to move · F to mark favourite · Esc to close</p>
              </aside>
            </>
          ) : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
