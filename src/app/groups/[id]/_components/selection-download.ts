/**
 * The ZIP link for a gallery selection. Ids travel in the query string, and the server's request
 * line is limited (Node's default header limit is 16 KiB, about 400 ids), so big selections use
 * the route's own narrowing instead: "select all" without a filter is the whole group, "select all"
 * of favourites is `favorites=1`. Other selections above `maxIdsInLink` ask the user to narrow
 * them (documented in docs/api.md, Downloads).
 */
import type { ImageFilter } from '../../../_components/image-filter-bar.js';

/** Ids per link: 300 × 37 characters stays well inside a 16 KiB request line. */
export const maxIdsInLink = 300;

export type SelectionDownload = { href: string } | { href: undefined; reason: string };

export function selectionDownload(groupId: string, selectedIds: readonly string[], selectAllFilter: ImageFilter | null): SelectionDownload {
  const base = `/api/download/${encodeURIComponent(groupId)}`;
  if (selectAllFilter && selectAllFilter.prompt.trim() === '' && selectAllFilter.status === 'kept') {
    return { href: selectAllFilter.favoritesOnly ? `${base}?favorites=1` : base };
  }
  if (selectedIds.length === 0) return { href: undefined, reason: 'Select images first.' };
  if (selectedIds.length > maxIdsInLink) {
    return { href: undefined, reason: `Up to ${maxIdsInLink} hand-picked images download at once; for more, mark them favourite and download the favourites, or download the whole group.` };
  }
  return { href: `${base}?ids=${selectedIds.map(encodeURIComponent).join(',')}` };
}
