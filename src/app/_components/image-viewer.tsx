'use client';
/**
 * The one full-size viewer (a Radix dialog) of the job page, the gallery and the Studio: ← and →
 * move through the list, Z zooms (drag or scroll to pan), F marks the favourite, Esc closes. Beside
 * the picture: prompt and seed (with copy buttons), model, size, references with their file names,
 * cost — and the actions for an image of any mode. With the viewer focused, single keys are safe
 * to use for paid actions (R re-roll, V variations, U upscale): nothing else takes typing here.
 */
import type { Route } from 'next';
import Link from 'next/link';
import { Dialog } from 'radix-ui';
import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { toast } from 'sonner';
import type { VariationStrength } from '../../core/variation-strength.js';
import type { ResultImage } from '../_lib/api-types.js';
import { formatBytes, formatTime, formatUsd } from '../_lib/format.js';
import { useNeighbourPrefetch } from '../_lib/use-neighbour-prefetch.js';
import { Button, buttonClasses } from './button.js';
import { Icon } from './icons.js';
import { sourceLabel } from './source-label.js';

/** What can be done to the open image besides the favourite; each page supplies what it can. */
export interface ViewerActions {
  reroll: (image: ResultImage) => void;
  /** The same image again from its own seed (a new job; nothing else changes). */
  regenerateWithSeed?: (image: ResultImage) => void;
  /** A set of 4: new seeds from its prompt and references, or with a strength, of the picture itself (Vary subtle / strong). */
  variations: (image: ResultImage, strength?: VariationStrength) => void;
  /** Sizes it can be upscaled to (larger than its own, offered by its model). */
  upscaleSizes: (image: ResultImage) => string[];
  upscale: (image: ResultImage, size: string) => void;
  setDiscarded?: (image: ResultImage, discarded: boolean) => void;
  /** Composer actions (the Studio; elsewhere they open the Studio). */
  useSeed?: (image: ResultImage) => void;
  usePrompt?: (image: ResultImage) => void;
  recallSettings?: (image: ResultImage) => void;
  useAsReference?: (image: ResultImage) => void;
  /** The composer actions' heading: outside the Studio they change its stored draft, and say so. */
  composerHeading?: string;
}

interface ImageViewerProps {
  images: readonly ResultImage[];
  /** The open image's index; null when closed. */
  index: number | null;
  onIndexChange: (index: number | null) => void;
  onToggleFavorite: (image: ResultImage) => void;
  hasMore: boolean;
  loadMore: () => void;
  /** The exact number of images in the list when known (else the loaded count, with "+" while more pages exist). */
  totalCount?: number | undefined;
  actions?: ViewerActions | undefined;
}

export function ImageViewer({ images, index, onIndexChange, onToggleFavorite, hasMore, loadMore, totalCount, actions }: ImageViewerProps) {
  const image = index === null ? undefined : images[index];
  const last = images.length - 1;
  const [zoomed, setZoomed] = useState(false);
  const upscaleSizes = image && actions ? actions.upscaleSizes(image) : [];
  useNeighbourPrefetch(images, image === undefined ? null : index);

  // Near the end of what is loaded, fetch the next page so → keeps going.
  useEffect(() => {
    if (index !== null && hasMore && index >= last - 2) loadMore();
  }, [index, last, hasMore, loadMore]);

  const move = (step: number) => {
    if (index === null) return;
    const next = index + step;
    if (next >= 0 && next <= last) {
      setZoomed(false);
      onIndexChange(next);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'ArrowRight') {
      event.preventDefault();
      move(1);
    } else if (event.key === 'ArrowLeft') {
      event.preventDefault();
      move(-1);
    } else if (!image || (event.target instanceof HTMLElement && event.target.closest('input, textarea, select'))) {
      return;
    } else if (event.key === 'f' || event.key === 'F') {
      event.preventDefault();
      onToggleFavorite(image);
    } else if (event.key === 'z' || event.key === 'Z') {
      event.preventDefault();
      setZoomed((on) => !on);
    } else if (actions && (event.key === 'r' || event.key === 'R')) {
      event.preventDefault();
      actions.reroll(image);
    } else if (actions && (event.key === 'v' || event.key === 'V')) {
      event.preventDefault();
      actions.variations(image);
    } else if (actions && (event.key === 'u' || event.key === 'U') && upscaleSizes[0]) {
      event.preventDefault();
      actions.upscale(image, upscaleSizes[0]);
    } else if (actions?.useSeed && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      actions.useSeed(image);
    }
  };

  return (
    <Dialog.Root open={image !== undefined} onOpenChange={(open) => (open ? undefined : onIndexChange(null))}>
      <Dialog.Portal>
        {/* No backdrop blur: without a GPU, re-blurring the page behind each new picture cost more than loading it (issue 20: → p50 98–225 ms with the blur, 33–44 ms without, same build). */}
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/90" />
        <Dialog.Content
          onKeyDown={onKeyDown}
          // A click on a toast (Undo, Open in Studio, Open its job) is not a click outside: the viewer stays open.
          onInteractOutside={(event) => {
            if (event.target instanceof Element && event.target.closest('[data-sonner-toaster]')) event.preventDefault();
          }}
          data-testid="image-viewer"
          aria-describedby={undefined}
          className="fixed inset-0 z-50 flex flex-col gap-0 outline-none lg:flex-row"
        >
          {image ? (
            <>
              <div className="relative flex min-h-0 flex-1 items-center justify-center p-3 sm:p-6">
                {/* The picture is contained in a fixed box: moving between images never shifts the panel. Zoomed, the box scrolls (pan). */}
                {zoomed ? (
                  <div className="h-full w-full overflow-auto" data-testid="viewer-zoomed" tabIndex={0} aria-label="Zoomed image; scroll to pan">
                    <img key={image.id} src={image.url} alt={image.prompt} width={image.width} height={image.height} data-testid="viewer-image" className="max-w-none cursor-zoom-out" onClick={() => setZoomed(false)} />
                  </div>
                ) : (
                  <img key={image.id} src={image.url} alt={image.prompt} data-testid="viewer-image" className="max-h-full max-w-full cursor-zoom-in rounded-lg object-contain shadow-2xl" onClick={() => setZoomed(true)} />
                )}
                <Button aria-label={zoomed ? 'Fit to the screen (Z)' : 'Zoom to full size (Z)'} aria-pressed={zoomed} className="absolute bottom-3 right-3" variant="secondary" onClick={() => setZoomed((on) => !on)} data-testid="viewer-zoom">
                  <Icon name={zoomed ? 'zoom-out' : 'zoom-in'} />
                </Button>
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
                    Image {((index ?? 0) + 1).toLocaleString('en-US')} of {(totalCount ?? images.length).toLocaleString('en-US')}
                    {totalCount === undefined && hasMore ? '+' : ''}
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
                <div className="flex items-start gap-2">
                  <p className="min-w-0 flex-1 whitespace-pre-wrap text-base text-neutral-100" data-testid="viewer-prompt">
                    {image.prompt}
                  </p>
                  <CopyButton text={image.prompt} what="prompt" />
                </div>
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                  <dt className="text-neutral-400">Seed</dt>
                  <dd className="flex items-center gap-2 font-mono">
                    {image.seed ?? 'n/a (this model has no seeds)'}
                    {image.seed !== null ? <CopyButton text={String(image.seed)} what="seed" /> : null}
                  </dd>
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
                  {image.discarded !== undefined && actions?.setDiscarded ? (
                    <Button variant="secondary" onClick={() => actions.setDiscarded?.(image, !image.discarded)} data-testid="viewer-discard">
                      <Icon name={image.discarded ? 'undo' : 'trash'} /> {image.discarded ? 'Restore' : 'Discard'}
                    </Button>
                  ) : null}
                  <a href={image.url} target="_blank" rel="noreferrer" className={buttonClasses('secondary')}>
                    Open original
                  </a>
                  <Link href={`/jobs/${encodeURIComponent(image.jobId)}` as Route} className={buttonClasses('ghost')}>
                    Its job
                  </Link>
                </div>
                {actions ? (
                  <div className="flex flex-col gap-2" role="group" aria-label="Make more from this image">
                    <h3 className="text-xs font-medium uppercase tracking-wide text-neutral-400">Make more (paid)</h3>
                    <div className="flex flex-wrap gap-2">
                      <ViewerAction label="Re-roll" keyName="R" onClick={() => actions.reroll(image)} testId="viewer-reroll" />
                      {actions.regenerateWithSeed && image.seed !== null ? <ViewerAction label="Same seed again" onClick={() => actions.regenerateWithSeed?.(image)} testId="viewer-same-seed" /> : null}
                      <ViewerAction label="Variations" keyName="V" onClick={() => actions.variations(image)} testId="viewer-variations" />
                      <ViewerAction label="Vary (subtle)" onClick={() => actions.variations(image, 'subtle')} testId="viewer-vary-subtle" />
                      <ViewerAction label="Vary (strong)" onClick={() => actions.variations(image, 'strong')} testId="viewer-vary-strong" />
                      {upscaleSizes.map((size, position) => (
                        <ViewerAction key={size} label={`Upscale ${size}`} keyName={position === 0 ? 'U' : undefined} onClick={() => actions.upscale(image, size)} testId={`viewer-upscale-${size}`} />
                      ))}
                    </div>
                    {actions.useSeed || actions.usePrompt || actions.recallSettings ? (
                      <>
                        <h3 className="text-xs font-medium uppercase tracking-wide text-neutral-400">{actions.composerHeading ?? 'Into the composer'}</h3>
                        <div className="flex flex-wrap gap-2">
                          {actions.useSeed ? <ViewerAction label="Use seed" keyName="S" onClick={() => actions.useSeed?.(image)} testId="viewer-use-seed" /> : null}
                          {actions.usePrompt ? <ViewerAction label="Use prompt" onClick={() => actions.usePrompt?.(image)} testId="viewer-use-prompt" /> : null}
                          {actions.recallSettings ? <ViewerAction label="Use all settings" onClick={() => actions.recallSettings?.(image)} testId="viewer-recall" /> : null}
                          {actions.useAsReference ? <ViewerAction label="Use as reference" onClick={() => actions.useAsReference?.(image)} testId="viewer-use-as-reference" /> : null}
                        </div>
                      </>
                    ) : null}
                  </div>
                ) : null}
                <p className="mt-auto text-xs text-neutral-400">← → move · Z zoom · F favourite{actions ? ' · R re-roll · V variations · U upscale' : ''} · Esc close</p>
              </aside>
            </>
          ) : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function ViewerAction({ label, keyName, onClick, testId }: { label: string; keyName?: string | undefined; onClick: () => void; testId: string }) {
  return (
    <Button variant="secondary" size="small" onClick={onClick} data-testid={testId} aria-keyshortcuts={keyName}>
      {label}
      {keyName ? <kbd className="ml-1.5 text-xs opacity-70">{keyName}</kbd> : null}
    </Button>
  );
}

function CopyButton({ text, what }: { text: string; what: string }): ReactNode {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast.success(`The ${what} is copied.`);
    } catch {
      toast.error(`The ${what} could not be copied (the browser refused the clipboard).`);
    }
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={`Copy the ${what}`} title={`Copy the ${what}`} className={buttonClasses('ghost', 'small')} data-testid={`viewer-copy-${what}`}>
      <Icon name="copy" />
    </button>
  );
}
