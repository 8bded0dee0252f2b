import { describe, expect, it } from 'vitest';
import { recycledRowWindow, rowSlotCount, type RowWindowInput } from '../../src/app/_lib/recycled-row-window.js';

/** The gallery's geometry in the benchmark: a 660 px scroll box, 188 px rows (180 px tiles and the 8 px gap), two rows of overscan. */
const geometry = { viewportPx: 660, rowPx: 188, overscanRows: 2 };
/** The slots of 660 px / 188 px: a view cuts into at most 5 rows, plus 2 above and 2 below. */
const slots = 9;

/** What TanStack Virtual asks for at a scroll position: the rows the view touches and the overscan, clamped to the list. */
function wanted(scrollTopPx: number, rowCount: number): Pick<RowWindowInput, 'firstWantedIndex' | 'wantedCount'> {
  const first = Math.max(0, Math.floor(scrollTopPx / geometry.rowPx) - geometry.overscanRows);
  const last = Math.min(rowCount - 1, Math.floor((scrollTopPx + geometry.viewportPx - 1) / geometry.rowPx) + geometry.overscanRows);
  return { firstWantedIndex: first, wantedCount: last - first + 1 };
}

function windowAt(scrollTopPx: number, rowCount: number) {
  return recycledRowWindow({ ...wanted(scrollTopPx, rowCount), rowCount, ...geometry });
}

describe('recycledRowWindow', () => {
  it('holds the same number of rows at every scroll position, each in its own slot, covering every row the virtualiser wants', () => {
    const rowCount = 1_667;
    expect(rowSlotCount({ ...geometry, wantedCount: 0 })).toBe(slots);
    for (let scrollTopPx = 0; scrollTopPx < rowCount * geometry.rowPx - geometry.viewportPx; scrollTopPx += 37) {
      const rows = windowAt(scrollTopPx, rowCount);
      expect(rows).toHaveLength(slots);
      expect(new Set(rows.map((row) => row.slot)).size).toBe(slots);
      const indexes = rows.map((row) => row.index).sort((left, right) => left - right);
      // Contiguous, inside the list, and a superset of what the virtualiser asked for.
      expect(indexes.at(-1)! - indexes[0]!).toBe(slots - 1);
      expect(indexes[0]).toBeGreaterThanOrEqual(0);
      expect(indexes.at(-1)).toBeLessThan(rowCount);
      const { firstWantedIndex, wantedCount } = wanted(scrollTopPx, rowCount);
      expect(indexes[0]).toBeLessThanOrEqual(firstWantedIndex);
      expect(indexes.at(-1)).toBeGreaterThanOrEqual(firstWantedIndex + wantedCount - 1);
    }
  });

  it('puts the row entering the window into the slot of the row that left, and keeps every other row in its slot', () => {
    const before = windowAt(10 * geometry.rowPx, 1_000);
    const after = windowAt(11 * geometry.rowPx, 1_000);
    const slotOf = (rows: typeof before, index: number) => rows.find((row) => row.index === index)?.slot;
    const left = before.find((row) => !after.some((candidate) => candidate.index === row.index))!;
    const entered = after.find((row) => !before.some((candidate) => candidate.index === row.index))!;
    expect(left.index).toBe(8);
    expect(entered.index).toBe(8 + slots);
    expect(entered.slot).toBe(left.slot);
    for (const row of after) if (row !== entered) expect(row.slot).toBe(slotOf(before, row.index));
    // Scrolling back up swaps them again.
    expect(windowAt(10 * geometry.rowPx, 1_000)).toEqual(before);
  });

  it('lists the rows in slot order, so React never has to move one', () => {
    const rows = windowAt(123 * geometry.rowPx + 50, 1_000);
    expect(rows.map((row) => row.slot)).toEqual([...rows.map((row) => row.slot)].sort((left, right) => left - right));
  });

  it('stays full at the end of the list by starting earlier, and renders every row of a short list', () => {
    const atEnd = recycledRowWindow({ firstWantedIndex: 97, wantedCount: 3, rowCount: 100, ...geometry });
    expect(atEnd.map((row) => row.index).sort((left, right) => left - right)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99]);
    const short = recycledRowWindow({ firstWantedIndex: 0, wantedCount: 3, rowCount: 3, ...geometry });
    expect(short.map((row) => row.index)).toEqual([0, 1, 2]);
    expect(recycledRowWindow({ firstWantedIndex: 0, wantedCount: 0, rowCount: 0, ...geometry })).toEqual([]);
  });

  it('grows the window when the virtualiser asks for more rows than the geometry predicts, and works before the box is measured', () => {
    const rows = recycledRowWindow({ firstWantedIndex: 4, wantedCount: 12, rowCount: 1_000, ...geometry });
    expect(rows).toHaveLength(12);
    expect(Math.min(...rows.map((row) => row.index))).toBe(4);
    const unmeasured = recycledRowWindow({ firstWantedIndex: 0, wantedCount: 1, rowCount: 50, viewportPx: 0, rowPx: 176, overscanRows: 2 });
    expect(unmeasured.map((row) => row.index)).toEqual([0, 1, 2, 3, 4]);
  });
});
