'use client';
/** Filters shared by the job results and the group gallery: prompt text, source file name, favourites only, kept / discarded / all. */
import type { ReactNode } from 'react';
import { Icon } from './icons.js';

export interface ImageFilter {
  prompt: string;
  /** Part of the uploaded reference's file name (which product photo). */
  source: string;
  favoritesOnly: boolean;
  status: 'kept' | 'discarded' | 'all';
}

export const emptyImageFilter: ImageFilter = { prompt: '', source: '', favoritesOnly: false, status: 'kept' };

/** The filter as API query parameters. */
export function imageFilterQuery(filter: ImageFilter): Record<string, string> {
  const query: Record<string, string> = {};
  if (filter.prompt.trim() !== '') query.prompt = filter.prompt.trim();
  if (filter.source.trim() !== '') query.source = filter.source.trim();
  if (filter.favoritesOnly) query.favorite = '1';
  if (filter.status !== 'kept') query.status = filter.status;
  return query;
}

export function ImageFilterBar({ filter, onChange, children }: { filter: ImageFilter; onChange: (filter: ImageFilter) => void; children?: ReactNode }) {
  const control = 'h-9 rounded-lg border border-neutral-700 bg-neutral-900 px-3 text-sm focus-visible:outline-2 focus-visible:outline-violet-400';
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Filter images">
      <label className="sr-only" htmlFor="image-filter-prompt">
        Prompt contains
      </label>
      <input
        id="image-filter-prompt"
        type="search"
        placeholder="Search prompts…"
        value={filter.prompt}
        onChange={(event) => onChange({ ...filter, prompt: event.target.value })}
        className={`${control} w-full min-w-0 sm:w-56`}
      />
      <label className="sr-only" htmlFor="image-filter-source">
        Source file name contains
      </label>
      <input
        id="image-filter-source"
        type="search"
        placeholder="Search source files…"
        value={filter.source}
        onChange={(event) => onChange({ ...filter, source: event.target.value })}
        className={`${control} w-full min-w-0 sm:w-48`}
        data-testid="image-filter-source"
      />
      <label className="sr-only" htmlFor="image-filter-status">
        Show
      </label>
      <select id="image-filter-status" value={filter.status} onChange={(event) => onChange({ ...filter, status: event.target.value as ImageFilter['status'] })} className={control}>
        <option value="kept">Kept</option>
        <option value="discarded">Discarded</option>
        <option value="all">All</option>
      </select>
      <button
        type="button"
        aria-pressed={filter.favoritesOnly}
        onClick={() => onChange({ ...filter, favoritesOnly: !filter.favoritesOnly })}
        className={`${control} inline-flex items-center gap-1.5 ${filter.favoritesOnly ? 'border-amber-400/60 text-amber-300' : 'text-neutral-300'}`}
      >
        <Icon name={filter.favoritesOnly ? 'star-filled' : 'star'} /> Favourites
      </button>
      {children}
    </div>
  );
}
