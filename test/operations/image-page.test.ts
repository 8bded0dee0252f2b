/** Which images a list shows by their discarded mark (pure). */
import { describe, expect, it } from 'vitest';
import { discardedFilterOf } from '../../src/operations/image-page.js';

describe('discardedFilterOf', () => {
  it('keeps the kept images by default, and asks for no filter for all', () => {
    expect(discardedFilterOf(undefined)).toBe(false);
    expect(discardedFilterOf('kept')).toBe(false);
    expect(discardedFilterOf('discarded')).toBe(true);
    expect(discardedFilterOf('all')).toBeUndefined();
  });
});
