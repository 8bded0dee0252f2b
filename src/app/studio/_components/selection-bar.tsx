'use client';
/** Bulk actions on the selected images: favourite them, download them as one ZIP, compare 2–4. */
import { Icon } from '../../_components/icons.js';
import type { Route } from 'next';
import type { ResultImage } from '../../_lib/api-types.js';

interface Props {
  groupId: string | null;
  selected: ResultImage[];
  onFavourite: () => void;
  onCompare: () => void;
  onClear: () => void;
}

export function SelectionBar({ groupId, selected, onFavourite, onCompare, onClear }: Props) {
  if (selected.length === 0) return null;
  const zipHref = groupId ? (`/api/download/${encodeURIComponent(groupId)}?ids=${selected.map((image) => encodeURIComponent(image.id)).join(',')}` as Route) : undefined;
  const canCompare = selected.length >= 2 && selected.length <= 4;
  return (
    <div className="sticky top-0 z-20 flex flex-wrap items-center gap-2 rounded-lg border border-sky-800 bg-sky-950/90 p-2 text-sm backdrop-blur" data-testid="selection-bar" role="toolbar" aria-label="Selected images">
      <span className="px-1 font-medium" data-testid="selection-count">
        {selected.length} selected
      </span>
      <button type="button" className="inline-flex items-center gap-1.5 rounded px-2 py-1 hover:bg-sky-900" onClick={onFavourite}>
        <Icon name="star" /> Favourite
      </button>
      {zipHref ? (
        <a href={zipHref} download className="inline-flex items-center gap-1.5 rounded px-2 py-1 hover:bg-sky-900" data-testid="download-zip">
          <Icon name="download" /> Download ZIP
        </a>
      ) : null}
      <button type="button" className="rounded px-2 py-1 hover:bg-sky-900 disabled:opacity-50" onClick={onCompare} disabled={!canCompare} title={canCompare ? 'Compare side by side' : 'Select 2 to 4 images to compare'} data-testid="compare">
        Compare
      </button>
      <button type="button" className="ml-auto rounded px-2 py-1 text-neutral-300 hover:bg-sky-900" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
