/**
 * Which rows a virtualised grid renders, and in which slot each one goes, so that a scroll reuses
 * the DOM of the row that left instead of unmounting it and mounting a new one (decision 0046,
 * amendment 2). The window always holds the same number of rows (`slotCount`) while the list is
 * long enough, and a row's slot is its index modulo that number: scrolling by one row moves the row
 * that left the window into the slot of the row that entered, and React updates the `src`, labels
 * and text of the tiles already there. A window whose length varied (as the virtualiser's does,
 * by one row depending on how the rows line up with the view) would mount and unmount a row on
 * every change of length instead.
 */

/** One row of the window. */
export interface WindowRow {
  /** The row's index in the list. */
  index: number;
  /** The row's slot: its React key, the same for the rows that take turns in it. */
  slot: number;
}

export interface RowWindowInput {
  /** The first row the virtualiser wants rendered (its overscan included). */
  firstWantedIndex: number;
  /** How many rows the virtualiser wants rendered (its overscan included); the window grows to hold them. */
  wantedCount: number;
  /** Rows in the list. */
  rowCount: number;
  /** The scroll box's height, px. */
  viewportPx: number;
  /** One row's height plus the gap below it, px. */
  rowPx: number;
  /** Rows rendered beyond each edge of the view. */
  overscanRows: number;
}

/**
 * The number of slots: the most rows the view can cut into (a partial row at each edge) plus the
 * overscan on both sides, or what the virtualiser asks for if that is more. The same for every
 * scroll position, so the slots stay put while flinging.
 */
export function rowSlotCount(input: Pick<RowWindowInput, 'viewportPx' | 'rowPx' | 'overscanRows' | 'wantedCount'>): number {
  const rowsInView = input.viewportPx > 0 && input.rowPx > 0 ? Math.ceil(input.viewportPx / input.rowPx) + 1 : 1;
  return Math.max(rowsInView + 2 * input.overscanRows, input.wantedCount, 1);
}

/**
 * The rows to render, in slot order (the order React keeps them in, so it never moves one): the
 * `slotCount` rows from the first wanted one (earlier at the end of the list, so the window stays
 * full), which include every row the virtualiser wants.
 */
export function recycledRowWindow(input: RowWindowInput): WindowRow[] {
  const slotCount = rowSlotCount(input);
  const length = Math.min(slotCount, Math.max(0, input.rowCount));
  if (length === 0) return [];
  const first = Math.max(0, Math.min(input.firstWantedIndex, input.rowCount - length));
  const rows: WindowRow[] = [];
  for (let slot = 0; slot < slotCount; slot += 1) {
    // The one row of [first, first + length) whose index is `slot` modulo slotCount.
    const index = first + ((((slot - first) % slotCount) + slotCount) % slotCount);
    if (index < first + length) rows.push({ index, slot });
  }
  return rows;
}
