/**
 * Which runs the Studio's feed shows: text (prompt, a reference's file name or the start of a
 * seed), a reference (part of a reference's file name, nothing else), a period (when the run's job
 * was made: today, the last 7 days, or between two dates, all in the browser's time zone) and
 * favourites only (applied per image by the run's view).
 */
export type FeedPeriod = 'all' | 'today' | 'week' | 'range';

export interface FeedFilter {
  /** Part of the prompt or of a reference's file name, or the start of a seed. */
  text: string;
  /** Part of a reference's file name (the source photo). */
  reference: string;
  period: FeedPeriod;
  /** With period 'range': first and last day, `YYYY-MM-DD` as a date input gives them; '' = open. */
  from: string;
  to: string;
  favouritesOnly: boolean;
}

export const emptyFeedFilter: FeedFilter = { text: '', reference: '', period: 'all', from: '', to: '', favouritesOnly: false };

/** What the filter needs of a run. */
export interface FilteredRun {
  prompt: string;
  referenceNames: readonly string[];
  seeds: ReadonlyArray<number | null>;
  /** When its job was made (ISO 8601). */
  createdAt: string;
}

function startOfDay(time: Date): number {
  return new Date(time.getFullYear(), time.getMonth(), time.getDate()).getTime();
}

/** `YYYY-MM-DD` as local midnight, or undefined when it is not a date. */
function localDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(day.getTime()) ? undefined : day.getTime();
}

const dayMs = 24 * 60 * 60 * 1000;

export function periodMatches(filter: Pick<FeedFilter, 'period' | 'from' | 'to'>, createdAt: string, now: Date): boolean {
  const made = Date.parse(createdAt);
  if (filter.period === 'all' || Number.isNaN(made)) return true;
  if (filter.period === 'today') return made >= startOfDay(now);
  // The last 7 days: today and the six before it.
  if (filter.period === 'week') return made >= startOfDay(now) - 6 * dayMs;
  const from = localDay(filter.from);
  const to = localDay(filter.to);
  // `to` is a whole day: everything before the next midnight (built from the date, so a DST day counts as one day).
  const toEnd = to === undefined ? undefined : new Date(new Date(to).getFullYear(), new Date(to).getMonth(), new Date(to).getDate() + 1).getTime();
  return (from === undefined || made >= from) && (toEnd === undefined || made < toEnd);
}

export function runMatches(run: FilteredRun, filter: FeedFilter, now: Date): boolean {
  const text = filter.text.trim().toLowerCase();
  const seedMatches = /^\d+$/.test(text) && run.seeds.some((seed) => seed !== null && String(seed).startsWith(text));
  const textMatches = text === '' || seedMatches || run.prompt.toLowerCase().includes(text) || run.referenceNames.some((name) => name.toLowerCase().includes(text));
  const reference = filter.reference.trim().toLowerCase();
  const referenceMatches = reference === '' || run.referenceNames.some((name) => name.toLowerCase().includes(reference));
  return textMatches && referenceMatches && periodMatches(filter, run.createdAt, now);
}

export function isFiltered(filter: FeedFilter): boolean {
  return filter.text.trim() !== '' || filter.reference.trim() !== '' || filter.period !== 'all' || filter.favouritesOnly;
}
