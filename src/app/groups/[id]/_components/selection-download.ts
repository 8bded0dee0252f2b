/**
 * How to download a gallery selection as a ZIP. "Select all" without a filter is the whole group,
 * and "select all" of the favourites is `favorites=1`: no ids needed. Hand-picked selections go as
 * a link with `?ids=` while that stays short (the server's request line is limited: Node's default
 * is 16 KiB, about 400 ids), and beyond that as a form posted to `POST /api/download/{groupId}`,
 * which the browser downloads with real progress just like a link (docs/api.md, Downloads).
 */
import type { ImageFilter } from '../../../_components/image-filter-bar.js';

/** Ids per link: 300 × 37 characters stays well inside a 16 KiB request line. */
export const maxIdsInLink = 300;

export type SelectionDownload = { kind: 'none' } | { kind: 'link'; href: string } | { kind: 'form'; action: string; ids: string };

export function selectionDownload(groupId: string, selectedIds: readonly string[], selectAllFilter: ImageFilter | null): SelectionDownload {
  const base = `/api/download/${encodeURIComponent(groupId)}`;
  if (selectAllFilter && selectAllFilter.prompt.trim() === '' && selectAllFilter.status === 'kept') {
    return { kind: 'link', href: selectAllFilter.favoritesOnly ? `${base}?favorites=1` : base };
  }
  if (selectedIds.length === 0) return { kind: 'none' };
  if (selectedIds.length > maxIdsInLink) return { kind: 'form', action: base, ids: selectedIds.join(',') };
  return { kind: 'link', href: `${base}?ids=${selectedIds.map(encodeURIComponent).join(',')}` };
}
