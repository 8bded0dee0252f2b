'use client';
/**
 * Picks references from earlier uploads (newest first, a page at a time), searchable by file name.
 * The tiles sit in a grid inside their own scroll box: a grid that is itself the shrinking child of
 * a flex column squeezes its rows and the tiles overlap.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { useState } from 'react';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { UploadList, UploadListItem } from '../../_lib/api-types.js';
import { useDebouncedValue } from '../../_lib/use-debounced-value.js';
import { studioQueryKeys } from './studio-queries.js';

export function UploadPickerDialog({ open, onOpenChange, onPick }: { open: boolean; onOpenChange: (open: boolean) => void; onPick: (upload: UploadListItem) => void }) {
  const [search, setSearch] = useState('');
  const name = useDebouncedValue(search.trim(), 250);
  const uploads = useInfiniteQuery({
    queryKey: [...studioQueryKeys.uploads, name],
    queryFn: ({ pageParam, signal }) =>
      apiRequest<UploadList>(`/api/uploads?limit=48${name ? `&name=${encodeURIComponent(name)}` : ''}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`, { signal }),
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
          <label className="sr-only" htmlFor="upload-picker-search">
            File name contains
          </label>
          <input
            id="upload-picker-search"
            type="search"
            placeholder="Search by file name…"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="h-9 rounded-lg border border-neutral-700 bg-neutral-950 px-3 text-sm focus-visible:outline-2 focus-visible:outline-violet-400"
            data-testid="upload-picker-search"
          />
          <div className="min-h-0 flex-1 overflow-y-auto">
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="upload-picker-grid">
              {items.map((upload) => (
                <button
                  key={upload.id}
                  type="button"
                  onClick={() => onPick(upload)}
                  className="flex min-w-0 flex-col gap-1 rounded-md border border-neutral-800 bg-neutral-950 p-1 text-left hover:border-sky-500 focus-visible:border-sky-500 focus-visible:outline-2 focus-visible:outline-sky-400"
                  title={`${upload.name} · ${upload.width}×${upload.height}`}
                >
                  <img src={upload.thumbUrl} alt="" loading="lazy" className="aspect-square w-full rounded object-cover" />
                  <span className="line-clamp-2 break-all px-0.5 text-xs text-neutral-200">{upload.name}</span>
                  <span className="px-0.5 text-xs text-neutral-400">
                    {upload.width}×{upload.height}
                  </span>
                </button>
              ))}
            </div>
          </div>
          {uploads.isPending ? <p className="text-sm text-neutral-400">Loading…</p> : null}
          {uploads.isError ? <p className="text-sm text-rose-400">{errorMessage(uploads.error)}</p> : null}
          {uploads.isSuccess && items.length === 0 ? <p className="text-sm text-neutral-400">{name ? `No upload’s name contains “${name}”.` : 'Nothing uploaded yet.'}</p> : null}
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
