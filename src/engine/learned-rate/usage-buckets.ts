/**
 * The last minute of traffic on one limit key, in one-second buckets: what was started, what came
 * back refused (429) and what succeeded, each in requests, images and input tokens. The
 * learned-rate controller reads it to estimate a quota when a 429 arrives (started minus refused in
 * the last minute: what the provider took in its window) and to bound growth by the rate that
 * demonstrably succeeded. A plain array, so the store can persist it inside the controller state
 * and share it between processes.
 */

/** Amounts in each paced unit. */
export interface UsageTotals {
  requests: number;
  images: number;
  inputTokens: number;
}

/** Traffic in one second. */
export interface UsageBucket {
  /** Start of the second, epoch ms (a multiple of `bucketMs`). */
  startMs: number;
  /** Requests started in this second (and what they asked for). */
  started: UsageTotals;
  /** Requests answered 429 in this second, counted with the usage they asked for. */
  refused: UsageTotals;
  /** Requests that succeeded in this second. */
  succeeded: UsageTotals;
}

/** The units one request uses, per paced dimension. */
export interface RequestUsage {
  /** Images asked for / returned (images per minute); default 1. */
  images?: number;
  /** Input tokens sent (input tokens per minute); default 0. */
  inputTokens?: number;
}

/** A paced quota dimension and the unit its rate counts. */
export type PacedDimension = 'requests-per-minute' | 'images-per-minute' | 'input-tokens-per-minute';

export type UsageKind = 'started' | 'refused' | 'succeeded';

export const bucketMs = 1000;
/** Every paced dimension is per minute, so a minute of buckets is all any estimate needs. */
export const minuteMs = 60_000;

/** Adds one request's usage of `kind` at `atMs` and drops buckets older than a minute before `atMs`. */
export function addUsage(buckets: readonly UsageBucket[], kind: UsageKind, atMs: number, usage: RequestUsage = {}): UsageBucket[] {
  const startMs = Math.floor(atMs / bucketMs) * bucketMs;
  const newest = Math.max(atMs, ...buckets.map((bucket) => bucket.startMs));
  const kept = buckets.filter((bucket) => bucket.startMs > newest - minuteMs - bucketMs && bucket.startMs !== startMs);
  const current = buckets.find((bucket) => bucket.startMs === startMs) ?? { startMs, started: zero(), refused: zero(), succeeded: zero() };
  const totals = current[kind];
  const updated: UsageBucket = { ...current, [kind]: { requests: totals.requests + 1, images: totals.images + (usage.images ?? 1), inputTokens: totals.inputTokens + (usage.inputTokens ?? 0) } };
  return [...kept, updated].sort((left, right) => left.startMs - right.startMs);
}

/** Units of `dimension` of `kind` in the last `horizonMs` (buckets that started within it). */
export function usageWithin(buckets: readonly UsageBucket[], kind: UsageKind, dimension: PacedDimension, nowMs: number, horizonMs: number): number {
  let total = 0;
  for (const bucket of buckets) {
    if (bucket.startMs <= nowMs - horizonMs || bucket.startMs > nowMs) continue;
    total += unitsOf(bucket[kind], dimension);
  }
  return total;
}

/**
 * Units of `kind` per minute over the last `horizonMs`, divided by the span the buckets really
 * cover (from the first bucket inside the horizon to now), so a partly elapsed second does not
 * read as a lower rate.
 */
export function ratePerMinute(buckets: readonly UsageBucket[], kind: UsageKind, dimension: PacedDimension, nowMs: number, horizonMs: number): number {
  const coveredFromMs = (Math.floor((nowMs - horizonMs) / bucketMs) + 1) * bucketMs;
  const spanMs = Math.max(bucketMs, nowMs - coveredFromMs);
  return (usageWithin(buckets, kind, dimension, nowMs, horizonMs) * minuteMs) / spanMs;
}

/**
 * What the provider took (started minus refused, calls still open counted as taken) per minute,
 * the higher of the last minute and the last 10 s scaled to a minute: the minute is exact for a
 * quota counted over a minute, the 10 s for one counted over a few seconds (10 per 5 s), where the
 * minute would lag a rate that rose. A retry delay of `windowAtLeastMs` says the window is at least
 * that long (a slot frees when an accepted request leaves it), so shorter horizons are skipped:
 * otherwise a burst into a half-empty minute window would read as the quota.
 */
export function takenPerMinute(buckets: readonly UsageBucket[], dimension: PacedDimension, nowMs: number, windowAtLeastMs = 0): number {
  let best = 0;
  for (const horizonMs of [10_000, minuteMs]) {
    if (horizonMs < windowAtLeastMs && horizonMs !== minuteMs) continue;
    const taken = ratePerMinute(buckets, 'started', dimension, nowMs, horizonMs) - ratePerMinute(buckets, 'refused', dimension, nowMs, horizonMs);
    // A minute window that needs `windowAtLeastMs` to free a slot holds more than its quota by
    // about what arrived in that time (after a lowered quota): take that share off.
    const overFull = horizonMs === minuteMs ? Math.min(windowAtLeastMs, minuteMs) / minuteMs : 0;
    best = Math.max(best, taken * (1 - overFull));
  }
  return best;
}

/**
 * The highest per-minute rate that succeeded over the last 10, 20, 30 and 60 s: what the provider
 * has demonstrably accepted lately. Short horizons follow a rising rate; the minute covers a quota
 * whose window is a minute.
 */
export function demonstratedPerMinute(buckets: readonly UsageBucket[], dimension: PacedDimension, nowMs: number): number {
  let best = 0;
  for (const horizonMs of [10_000, 20_000, 30_000, minuteMs]) {
    best = Math.max(best, ratePerMinute(buckets, 'succeeded', dimension, nowMs, horizonMs));
  }
  return best;
}

/** Mean units of `dimension` per started request in the last minute; `fallback` when nothing started. */
export function meanUnitsPerRequest(buckets: readonly UsageBucket[], dimension: PacedDimension, nowMs: number, fallback: number): number {
  const requests = usageWithin(buckets, 'started', 'requests-per-minute', nowMs, minuteMs);
  return requests === 0 ? fallback : usageWithin(buckets, 'started', dimension, nowMs, minuteMs) / requests;
}

function unitsOf(totals: UsageTotals, dimension: PacedDimension): number {
  if (dimension === 'images-per-minute') return totals.images;
  if (dimension === 'input-tokens-per-minute') return totals.inputTokens;
  return totals.requests;
}

function zero(): UsageTotals {
  return { requests: 0, images: 0, inputTokens: 0 };
}
