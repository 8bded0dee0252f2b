import { describe, expect, it } from 'vitest';
import { nextSelection } from '../../src/app/_lib/range-selection.js';

const ids = ['a', 'b', 'c', 'd', 'e'];

describe('nextSelection', () => {
  it('toggles one image on a plain click', () => {
    expect([...nextSelection(new Set(), ids, 2, false, null)]).toEqual(['c']);
    expect([...nextSelection(new Set(['c']), ids, 2, false, 0)]).toEqual([]);
  });

  it('adds the range from the anchor on a shift-click, in either direction, keeping what was selected', () => {
    expect([...nextSelection(new Set(['a']), ids, 3, true, 1)].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...nextSelection(new Set(), ids, 0, true, 2)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('treats a shift-click without an anchor as a plain click and ignores an index past the loaded images', () => {
    expect([...nextSelection(new Set(), ids, 4, true, null)]).toEqual(['e']);
    expect([...nextSelection(new Set(['a']), ids, 9, false, null)]).toEqual(['a']);
  });
});
