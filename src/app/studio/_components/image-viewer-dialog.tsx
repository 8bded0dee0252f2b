'use client';
/** The full-size image with what made it: prompt, seed, size, model. */
import { Dialog } from 'radix-ui';
import type { ResultImage } from '../../_lib/api-types.js';
import { formatBytes } from '../../_lib/format.js';
import type { FeedJobInfo } from './feed-image.js';

export function ImageViewerDialog({ viewing, onClose }: { viewing: { image: ResultImage; job: FeedJobInfo } | null; onClose: () => void }) {
  const image = viewing?.image;
  return (
    <Dialog.Root open={viewing !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/90" />
        <Dialog.Content className="fixed inset-2 z-50 flex flex-col gap-2 rounded-lg border border-neutral-800 bg-neutral-950 p-3" data-testid="image-viewer">
          <div className="flex items-start justify-between gap-3">
            <Dialog.Title className="line-clamp-2 text-sm font-medium">{image?.prompt}</Dialog.Title>
            <Dialog.Close className="rounded px-2 py-1 text-sm hover:bg-neutral-800">Close</Dialog.Close>
          </div>
          <Dialog.Description className="text-xs text-neutral-400">
            {image ? `seed ${image.seed ?? '—'} · ${image.width}×${image.height} · ${formatBytes(image.byteSize)} · ${viewing?.job.model ?? ''}` : ''}
          </Dialog.Description>
          <div className="flex min-h-0 flex-1 items-center justify-center">{image ? <img src={image.url} alt={image.prompt} className="max-h-full max-w-full object-contain" /> : null}</div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
