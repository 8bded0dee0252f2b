'use client';
/** Picks references from earlier uploads (newest first, a page at a time). */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { UploadList, UploadListItem } from '../../_lib/api-types.js';
import { studioQueryKeys } from './studio-queries.js';

export function UploadPickerDialog({ open, onOpenChange, onPick }: { open: boolean; onOpenChange: (open: boolean) => void; onPick: (upload: UploadListItem) => void }) {
  const uploads = useInfiniteQuery({
    queryKey: studioQueryKeys.uploads,
    queryFn: ({ pageParam, signal }) => apiRequest<UploadList>(`/api/uploads?limit=48${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`, { signal }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: open,
  });
  const items = uploads.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/70" />
        <Dialog.Content className="fixed inset-x-2 top-[5vh] z-50 mx-auto flex max-h-[90vh] max-w-3xl flex-col gap-3 rounded-lg border border-neutral-700 bg-neutral-900 p-4 shadow-xl">
          <div className="flex items-center justify-between">
            <Dialog.Title className="text-lg font-semibold">Earlier uploads</Dialog.Title>
            <Dialog.Close className="rounded-md px-2 py-1 text-sm text-neutral-300 hover:bg-neutral-800">Done</Dialog.Close>
          </div>
          <Dialog.Description className="text-sm text-neutral-400">Click an image to add it as a reference.</Dialog.Description>
          <div className="grid min-h-0 grid-cols-3 gap-2 overflow-y-auto sm:grid-cols-5" data-testid="upload-picker-grid">
            {items.map((upload) => (
              <button
                key={upload.id}
                type="button"
                onClick={() => onPick(upload)}
                className="group relative aspect-square overflow-hidden rounded-md border border-neutral-800 bg-neutral-950 hover:border-sky-500 focus-visible:border-sky-500"
                title={`${upload.name} · ${upload.width}×${upload.height}`}
              >
                <img src={upload.thumbUrl} alt={upload.name} loading="lazy" className="h-full w-full object-cover" />
                <span className="absolute inset-x-0 bottom-0 truncate bg-black/60 px-1 text-left text-[10px] text-neutral-200">{upload.name}</span>
              </button>
            ))}
          </div>
          {uploads.isPending ? <p className="text-sm text-neutral-400">Loading…</p> : null}
          {uploads.isError ? <p className="text-sm text-rose-400">{errorMessage(uploads.error)}</p> : null}
          {uploads.isSuccess && items.length === 0 ? <p className="text-sm text-neutral-400">Nothing uploaded yet.</p> : null}
          {uploads.hasNextPage ? (
            <button type="button" className="self-center rounded-md border border-neutral-700 px-3 py-1 text-sm hover:bg-neutral-800" onClick={() => void uploads.fetchNextPage()} disabled={uploads.isFetchingNextPage}>
              {uploads.isFetchingNextPage ? 'Loading…' : 'More'}
            </button>
          ) : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
