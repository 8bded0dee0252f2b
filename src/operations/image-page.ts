/** A page of a keyset-paged image list, as list operations return it. */
import type { ResultImage } from '../engine/ports.js';

export interface ImagePage {
  /** At most the `limit` asked for, in list order. */
  images: ResultImage[];
  /** Whether another page follows the last image. */
  hasMore: boolean;
  /** Images matching the filter on every page; only with the first page (null for later ones: they belong to the same list). */
  total: number | null;
}

/** Which images a list shows by their discarded mark: `kept` (default), `discarded`, or `all`. */
export type DiscardedFilter = 'kept' | 'discarded' | 'all';

/** The repository's `discarded` filter for a list status (undefined = both). */
export function discardedFilterOf(status: DiscardedFilter | undefined): boolean | undefined {
  const chosen = status ?? 'kept';
  return chosen === 'all' ? undefined : chosen === 'discarded';
}
