/**
 * The selection rule of image grids (gallery, job page): a click toggles one image; a shift-click
 * adds every image from the last clicked one (the anchor) to this one, as file managers do.
 */
export function nextSelection(current: ReadonlySet<string>, loadedIds: readonly string[], index: number, shiftKey: boolean, anchorIndex: number | null): Set<string> {
  const next = new Set(current);
  if (shiftKey && anchorIndex !== null) {
    const [from, to] = anchorIndex < index ? [anchorIndex, index] : [index, anchorIndex];
    for (const id of loadedIds.slice(from, to + 1)) next.add(id);
    return next;
  }
  const id = loadedIds[index];
  if (id !== undefined && !next.delete(id)) next.add(id);
  return next;
}
