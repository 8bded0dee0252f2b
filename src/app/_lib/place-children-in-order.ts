/**
 * Puts a parent's children in the given order with the fewest moves: the children already in
 * order relative to each other (the longest increasing run of their current positions) stay, and
 * only the others are moved. The recycled grid (`virtual-image-grid.tsx`) keeps its rows in slot
 * order for React, which then never moves a row, and calls this when a scroll stops so that the
 * document order — the tab order and what a screen reader reads — follows the rows on screen: a
 * window rotated by k rows moves min(k, rows − k) of them. React moving the rows itself would move
 * one row scrolling down but all but one scrolling up (its keyed diff keeps the last row in place
 * and moves every row before it).
 */
export function placeChildrenInOrder(parent: Element, desired: readonly Element[]): void {
  const current = Array.from(parent.children);
  const positions = desired.map((child) => current.indexOf(child));
  const staying = longestIncreasingRun(positions);
  let anchor: Element | null = null;
  for (let index = desired.length - 1; index >= 0; index -= 1) {
    const child = desired[index]!;
    // insertBefore(child, null) appends: the last desired child goes to the end.
    if (!staying.has(index)) parent.insertBefore(child, anchor);
    anchor = child;
  }
}

/** Indexes into `values` of a longest strictly increasing subsequence (values of -1, children not yet in the parent, never stay). O(n²): a grid renders about a dozen rows. */
function longestIncreasingRun(values: readonly number[]): Set<number> {
  const lengths = values.map(() => 0);
  const previous = values.map(() => -1);
  let best = -1;
  for (let index = 0; index < values.length; index += 1) {
    if (values[index]! < 0) continue;
    lengths[index] = 1;
    for (let before = 0; before < index; before += 1) {
      if (values[before]! >= 0 && values[before]! < values[index]! && lengths[before]! + 1 > lengths[index]!) {
        lengths[index] = lengths[before]! + 1;
        previous[index] = before;
      }
    }
    if (best < 0 || lengths[index]! > lengths[best]!) best = index;
  }
  const run = new Set<number>();
  for (let index = best; index >= 0; index = previous[index]!) run.add(index);
  return run;
}
