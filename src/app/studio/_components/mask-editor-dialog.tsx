'use client';
/**
 * Paints an inpainting mask over a reference: a brush (size adjustable) marks what may change,
 * the eraser gives it back. The mask is exported at the reference's own pixel size as a PNG —
 * white = change, black = keep, as the provider contract defines it — and uploaded like any image.
 */
import { Dialog } from 'radix-ui';
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { apiUpload, errorMessage } from '../../_lib/api-client.js';
import type { Asset } from '../../_lib/api-types.js';
import type { ReferenceImage } from './composer-draft.js';

export interface SavedMask {
  id: string;
  /** A small PNG data URL of the mask, for the reference card's overlay. */
  previewUrl: string;
}

interface Props {
  reference: ReferenceImage;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSave: (mask: SavedMask) => void;
}

export function MaskEditorDialog({ reference, open, onOpenChange, onSave }: Props) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/80" />
        <Dialog.Content className="fixed inset-x-2 top-[3vh] z-50 mx-auto flex max-h-[94vh] max-w-4xl flex-col gap-3 rounded-lg border border-neutral-700 bg-neutral-900 p-4 shadow-xl">
          <Dialog.Title className="text-lg font-semibold">Paint a mask</Dialog.Title>
          <Dialog.Description className="text-sm text-neutral-400">Paint over what may change; the rest of the reference is kept exactly.</Dialog.Description>
          {open ? <MaskCanvas reference={reference} onCancel={() => onOpenChange(false)} onSave={onSave} /> : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function MaskCanvas({ reference, onCancel, onSave }: { reference: ReferenceImage; onCancel: () => void; onSave: (mask: SavedMask) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [brushPixels, setBrushPixels] = useState(40);
  const [erasing, setErasing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [painted, setPainted] = useState(false);
  const lastPoint = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const image = new Image();
    image.onload = () => setSize({ width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => setProblem('The reference image could not be loaded.');
    image.src = reference.url;
  }, [reference.url]);

  /** Pointer position in the canvas's own pixels (the canvas is shown scaled to fit). */
  const toCanvas = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const element = event.currentTarget;
    const box = element.getBoundingClientRect();
    const scale = element.width / box.width;
    return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale, scale };
  };

  const paint = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    const context = event.currentTarget.getContext('2d');
    if (!context) return;
    const point = toCanvas(event);
    context.globalCompositeOperation = erasing ? 'destination-out' : 'source-over';
    context.strokeStyle = '#ffffff';
    context.fillStyle = '#ffffff';
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = brushPixels * point.scale;
    const from = lastPoint.current ?? point;
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(point.x, point.y);
    context.stroke();
    lastPoint.current = point;
    if (!erasing) setPainted(true);
  };

  const clear = () => {
    const element = canvas.current;
    element?.getContext('2d')?.clearRect(0, 0, element.width, element.height);
    setPainted(false);
  };

  const save = async () => {
    const element = canvas.current;
    if (!element || !size) return;
    setSaving(true);
    setProblem(null);
    try {
      const output = document.createElement('canvas');
      output.width = size.width;
      output.height = size.height;
      const context = output.getContext('2d');
      if (!context) throw new Error('This browser cannot draw the mask.');
      context.fillStyle = '#000000';
      context.fillRect(0, 0, size.width, size.height);
      context.drawImage(element, 0, 0);
      const blob = await new Promise<Blob | null>((resolve) => output.toBlob(resolve, 'image/png'));
      if (!blob) throw new Error('The mask could not be encoded as PNG.');
      const asset = await apiUpload<Asset>('/api/uploads', blob, `mask-${reference.name.replace(/\.[a-z0-9]+$/i, '')}.png`);
      const preview = document.createElement('canvas');
      const previewScale = Math.min(1, 160 / Math.max(size.width, size.height));
      preview.width = Math.max(1, Math.round(size.width * previewScale));
      preview.height = Math.max(1, Math.round(size.height * previewScale));
      preview.getContext('2d')?.drawImage(output, 0, 0, preview.width, preview.height);
      onSave({ id: asset.id, previewUrl: preview.toDataURL('image/png') });
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="flex min-h-0 flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-2">
          Brush
          <input type="range" min={4} max={160} value={brushPixels} onChange={(event) => setBrushPixels(Number(event.target.value))} aria-label="Brush size" data-testid="mask-brush-size" />
          <span className="w-12 tabular-nums text-neutral-400">{brushPixels} px</span>
        </label>
        <div className="flex overflow-hidden rounded-md border border-neutral-700" role="group" aria-label="Tool">
          <button type="button" aria-pressed={!erasing} onClick={() => setErasing(false)} className={`px-2 py-1 ${erasing ? '' : 'bg-neutral-700'}`}>
            Paint
          </button>
          <button type="button" aria-pressed={erasing} onClick={() => setErasing(true)} className={`px-2 py-1 ${erasing ? 'bg-neutral-700' : ''}`} data-testid="mask-erase">
            Erase
          </button>
        </div>
        <button type="button" onClick={clear} className="rounded-md border border-neutral-700 px-2 py-1 hover:bg-neutral-800">
          Clear
        </button>
      </div>
      <div className="relative mx-auto w-fit min-h-0 max-w-full overflow-hidden">
        {size ? (
          <>
            {/* The reference under a half-transparent canvas: painted strokes show as a white veil. */}
            <img src={reference.url} alt={reference.name} className="block max-h-[62vh] max-w-full select-none" draggable={false} />
            <canvas
              ref={canvas}
              data-testid="mask-canvas"
              width={size.width}
              height={size.height}
              className="absolute inset-0 h-full w-full cursor-crosshair touch-none opacity-60"
              onPointerDown={(event) => {
                event.currentTarget.setPointerCapture(event.pointerId);
                lastPoint.current = null;
                paint(event);
              }}
              onPointerMove={(event) => {
                if (event.buttons === 1) paint(event);
              }}
              onPointerUp={() => {
                lastPoint.current = null;
              }}
            />
          </>
        ) : (
          <p className="p-8 text-sm text-neutral-400">{problem ?? 'Loading the reference…'}</p>
        )}
      </div>
      {problem && size ? (
        <p role="alert" className="text-sm text-rose-400">
          {problem}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <button type="button" onClick={onCancel} className="rounded-md px-3 py-1.5 text-sm hover:bg-neutral-800">
          Cancel
        </button>
        <button type="button" onClick={() => void save()} disabled={!painted || saving || !size} className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-500 disabled:opacity-50" data-testid="mask-save">
          {saving ? 'Saving…' : 'Use this mask'}
        </button>
      </div>
    </div>
  );
}
