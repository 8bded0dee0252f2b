'use client';
/**
 * The right-click (long-press on touch, Shift+F10 or the context-menu key) menu of an image tile on
 * the job page and in the gallery: the viewer's actions without opening it. Not modal: a modal menu
 * hides the page with aria-hidden while its links stay focusable (axe: aria-hidden-focus).
 */
import { ContextMenu } from 'radix-ui';
import type { ReactNode } from 'react';
import type { ResultImage } from '../_lib/api-types.js';
import type { ViewerActions } from './image-viewer.js';

interface ImageContextMenuProps {
  image: ResultImage;
  actions?: ViewerActions | undefined;
  onOpen: () => void;
  onToggleFavorite: () => void;
  /** Present where the list has a selection. */
  selected?: boolean | undefined;
  onToggleSelected?: (() => void) | undefined;
  /** The tile: the element the menu opens on. */
  children: ReactNode;
}

export function ImageContextMenu({ image, actions, onOpen, onToggleFavorite, selected, onToggleSelected, children }: ImageContextMenuProps) {
  const upscaleSizes = actions ? actions.upscaleSizes(image) : [];
  return (
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild>{children}</ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="z-50 min-w-52 rounded-md border border-neutral-700 bg-neutral-900 p-1 text-sm text-neutral-100 shadow-xl" data-testid="image-context-menu">
          <ImageMenuItem onSelect={onOpen}>Open</ImageMenuItem>
          <ImageMenuItem onSelect={onToggleFavorite}>
            {image.favorite ? 'Remove favourite' : 'Favourite'}
          </ImageMenuItem>
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
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
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
