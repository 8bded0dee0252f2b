import { describe, expect, it } from 'vitest';
import { emptyFeedFilter, isFiltered, periodMatches, runMatches, type FilteredRun } from '../../src/app/studio/_components/feed-filter.js';

/** Local times, as the browser's date inputs and "today" mean them. */
const local = (year: number, month: number, day: number, hour = 12) => new Date(year, month - 1, day, hour).toISOString();
const now = new Date(2026, 11, 4, 15);

describe('studio feed filter', () => {
  const run: FilteredRun = { prompt: 'linen shirt on a hanger', referenceNames: ['SKU 042.png'], seeds: [7001, 7002], createdAt: local(2026, 12, 4, 9) };

  it('matches text in the prompt, a file name or the start of a seed; the reference field only in file names', () => {
    expect(runMatches(run, { ...emptyFeedFilter, text: 'LINEN' }, now)).toBe(true);
    expect(runMatches(run, { ...emptyFeedFilter, text: 'sku 042' }, now)).toBe(true);
    expect(runMatches(run, { ...emptyFeedFilter, text: '700' }, now)).toBe(true);
    expect(runMatches(run, { ...emptyFeedFilter, text: '9999' }, now)).toBe(false);
    expect(runMatches(run, { ...emptyFeedFilter, reference: 'sku 04' }, now)).toBe(true);
    expect(runMatches(run, { ...emptyFeedFilter, reference: 'linen' }, now)).toBe(false);
    expect(runMatches({ ...run, referenceNames: [] }, { ...emptyFeedFilter, reference: 'sku' }, now)).toBe(false);
  });

  it('keeps runs of today, the last 7 days (today and six before) or between two whole days', () => {
    expect(periodMatches({ period: 'today', from: '', to: '' }, local(2026, 12, 4, 0), now)).toBe(true);
    expect(periodMatches({ period: 'today', from: '', to: '' }, local(2026, 12, 3, 23), now)).toBe(false);
    expect(periodMatches({ period: 'week', from: '', to: '' }, local(2026, 11, 28, 0), now)).toBe(true);
    expect(periodMatches({ period: 'week', from: '', to: '' }, local(2026, 11, 27, 23), now)).toBe(false);
    const between = { period: 'range', from: '2026-12-01', to: '2026-12-03' } as const;
    expect(periodMatches(between, local(2026, 12, 1, 0), now)).toBe(true);
    expect(periodMatches(between, local(2026, 12, 3, 23), now)).toBe(true);
    expect(periodMatches(between, local(2026, 12, 4, 0), now)).toBe(false);
    expect(periodMatches(between, local(2026, 11, 30, 23), now)).toBe(false);
    // An open end, or a half-typed date, does not hide anything on that side.
    expect(periodMatches({ period: 'range', from: '', to: '2026-12-03' }, local(2020, 1, 1), now)).toBe(true);
    expect(periodMatches({ period: 'range', from: '2026-1', to: '' }, local(2020, 1, 1), now)).toBe(true);
    expect(periodMatches({ period: 'all', from: '', to: '' }, local(2000, 1, 1), now)).toBe(true);
  });

  it('says when anything is filtered', () => {
    expect(isFiltered(emptyFeedFilter)).toBe(false);
    expect(isFiltered({ ...emptyFeedFilter, period: 'today' })).toBe(true);
    expect(isFiltered({ ...emptyFeedFilter, reference: ' x ' })).toBe(true);
  });
});
