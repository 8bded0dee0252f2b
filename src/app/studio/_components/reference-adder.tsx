'use client';
/**
 * Adds references to the composer: drop image files here, paste an image from the clipboard
 * (anywhere on the page outside a text field), choose files, or pick from earlier uploads. A
 * text-only block makes text-to-image prompts.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { toast } from 'sonner';
import { apiUpload, errorMessage } from '../../_lib/api-client.js';
import type { Asset } from '../../_lib/api-types.js';
import type { ReferenceImage } from './composer-draft.js';
import { referenceFromAsset } from './reference-image.js';
import { studioQueryKeys } from './studio-queries.js';
import { UploadPickerDialog } from './upload-picker-dialog.js';

/** The drag type of a feed image dropped here: it becomes a reference (`onDropImage`). */
export const feedImageDragType = 'application/x-imagefleet-image';

export function ReferenceAdder({ onAdd, onAddTextOnly, onDropImage }: { onAdd: (reference: ReferenceImage) => void; onAddTextOnly: () => void; onDropImage?: (imageId: string) => void }) {
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [uploading, setUploading] = useState(0);
  const [pickerOpen, setPickerOpen] = useState(false);
  const onAddRef = useRef(onAdd);
  onAddRef.current = onAdd;

  const uploadFiles = useRef(async (files: File[]) => {
    const images = files.filter((file) => file.type === '' || file.type.startsWith('image/'));
    if (images.length === 0) return;
    setUploading((count) => count + images.length);
    // One at a time keeps the order the user chose and spares the server's decoder.
    for (const file of images) {
      try {
        const asset = await apiUpload<Asset>('/api/uploads', file, file.name || 'pasted.png');
        onAddRef.current(referenceFromAsset(asset));
      } catch (error) {
        toast.error(`${file.name || 'The image'} was not added`, { description: errorMessage(error) });
      } finally {
        setUploading((count) => count - 1);
      }
    }
    await queryClient.invalidateQueries({ queryKey: studioQueryKeys.uploads });
  });

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.isContentEditable)) return;
      const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
      if (files.length === 0) return;
      event.preventDefault();
      void uploadFiles.current(files);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const imageId = event.dataTransfer.getData(feedImageDragType);
    if (imageId !== '' && onDropImage) {
      onDropImage(imageId);
      return;
    }
    void uploadFiles.current([...event.dataTransfer.files]);
  };

  return (
    <div
      data-testid="reference-dropzone"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`flex flex-col gap-2 rounded-lg border border-dashed p-3 text-sm ${dragging ? 'border-sky-400 bg-sky-950/40' : 'border-neutral-700'}`}
    >
      <p className="text-neutral-400">Drop reference images here (files, or an image from the feed), paste one (Ctrl+V), or</p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className="rounded-md border border-neutral-700 px-2 py-1 hover:bg-neutral-800" onClick={() => fileInput.current?.click()}>
          Upload…
        </button>
        <button type="button" className="rounded-md border border-neutral-700 px-2 py-1 hover:bg-neutral-800" onClick={() => setPickerOpen(true)}>
          Earlier uploads…
        </button>
        <button type="button" className="rounded-md border border-neutral-700 px-2 py-1 hover:bg-neutral-800" onClick={onAddTextOnly}>
          Text only
        </button>
      </div>
      <input
        ref={fileInput}
        data-testid="reference-file-input"
        type="file"
        accept="image/png,image/jpeg,image/webp,image/avif"
        multiple
        className="hidden"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          void uploadFiles.current(files);
        }}
      />
      {uploading > 0 ? <p className="text-xs text-sky-300">Uploading {uploading}…</p> : null}
      <UploadPickerDialog open={pickerOpen} onOpenChange={setPickerOpen} onPick={(upload) => onAdd(referenceFromAsset(upload))} />
    </div>
  );
}
