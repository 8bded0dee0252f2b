/**
 * The learned-rate controller (decision 0038): discovers a provider's quota when the user has not
 * set one. The state is a plain serialisable object kept per limit key (and credential) by the
 * store, so every process reads-modifies-writes the same one inside a transaction; every function
 * here is a pure transition or a pure reading of it.
 *
 * Per paced dimension (requests, images, input tokens per minute) the rate is:
 * - before the dimension's first 429, **slow start**: twice the rate that demonstrably succeeded
 *   lately (at least the initial rate), so it doubles about once per call latency;
 * - on a 429 that names it, an **estimate** of the quota from what the provider took (started minus
 *   refused): the higher of the last minute and the last 10 s (skipped when the retry delay says
 *   the window is longer), the minute corrected for an over-full window; never above the rate that
 *   ran or the previous estimate. The rate restarts from `cutFactor` × estimate;
 * - then a **cubic probe** (as TCP CUBIC): concave back up to the estimate within `growthPeriodMs`,
 *   then convex above it, so it lingers near the known quota yet finds a raised one again; never
 *   above `probeHeadroom` × what the provider took in the last minute.
 * Only one cut per flight: a 429 for a request started before the last cut says nothing new.
 * RetryInfo is honoured: no request starts before the announced delay ends. Requests are spaced
 * `minute × units / rate` apart on one schedule shared by every process (even pacing, no burst at
 * the top of a minute); the user's rate is a ceiling on the requests dimension.
 */
import type { QuotaDimension } from '../../core/quota-failure.js';
import { addUsage, demonstratedPerMinute, meanUnitsPerRequest, minuteMs, ratePerMinute, takenPerMinute, type PacedDimension, type RequestUsage, type UsageBucket } from './usage-buckets.js';

export type { PacedDimension, RequestUsage, UsageBucket } from './usage-buckets.js';

/** Bounds the user and the configuration set; re-applied with `withSettings` when they change. */
export interface LearnedRateSettings {
  /** The user's requests per minute: a ceiling never exceeded (undefined: none, `GEMINI_RPM=auto`). */
  ceilingRequestsPerMinute: number | undefined;
  /** The controller never paces requests slower than this, requests per minute. Default 1. */
  floorRequestsPerMinute: number;
  /** Where a key with nothing learned starts, requests per minute (the old fixed default). Default 10. */
  initialRequestsPerMinute: number;
  /**
   * Extra time each minute's worth of starts at the ceiling leaves free, ms: arrivals trail starts by
   * a varying delay, so starts spaced exactly at the ceiling can land as one too many in the
   * provider's window (the RPM window's margin, engine/limits/rate-window.ts). Absent = 0.
   */
  ceilingArrivalMarginMs?: number | undefined;
}

/** What one paced dimension has learned. */
export interface DimensionRate {
  /** The quota estimated at the last cut, in the dimension's unit per minute. */
  estimatedPerMinute: number;
  /** When that cut happened, epoch ms; the cubic probe's clock starts here. */
  lastCutAtMs: number;
  /** Share of the estimate the rate restarted from at that cut (`cutFactor`, or `ceilingCutFactor`). */
  restartShare: number;
}

/** The whole controller state for one limit key; JSON-serialisable. */
export interface LearnedRateState {
  /** Format version of this object, for the store to migrate persisted copies. */
  version: 1;
  settings: LearnedRateSettings;
  /** Learned dimensions; a dimension is absent until a 429 names it (requests: slow start). */
  dimensions: Partial<Record<PacedDimension, DimensionRate>>;
  /** Traffic of the last minute (started, refused, succeeded), one bucket per second. */
  usage: UsageBucket[];
  /** No request may start before this, epoch ms (the latest announced retry delay); 0: none. */
  pausedUntilMs: number;
  /**
   * The pacing schedule shared by every process, epoch ms: the earliest the next request may start
   * (a GCRA "theoretical arrival time"); undefined before the first start.
   */
  nextSlotAtMs: number | undefined;
}

/** What the 429 said (see `core/quota-failure.ts`). */
export interface RateLimitedEvent {
  /** When the 429 was received, epoch ms. */
  nowMs: number;
  /** When the refused request started, epoch ms; a request started before the last cut does not cut again. */
  startedAtMs?: number;
  /** What the refused request asked for (it is taken off the started usage). */
  usage?: RequestUsage;
  /** RetryInfo / Retry-After delay, ms: nothing starts before `nowMs + retryAfterMs`. */
  retryAfterMs?: number;
  /** The dimension the QuotaFailure named; `unknown` and absent are read as requests per minute. */
  quotaDimension?: QuotaDimension;
}

/** What the controller shows the user for a key. */
export interface LearnedRateView {
  /** `discovering` until the requests dimension saw its first 429, then `learned`. */
  phase: 'discovering' | 'learned';
  /** The pace now, per dimension, in its unit per minute (requests always; others once learned). */
  ratesPerMinute: Partial<Record<PacedDimension, number>>;
  /** The estimated quota per learned dimension, its unit per minute. */
  estimatedPerMinute: Partial<Record<PacedDimension, number>>;
  /** Epoch ms until which an announced retry delay holds every start; undefined when none holds. */
  pausedUntilMs: number | undefined;
}

/** The cut: after a 429 the rate restarts from this share of the estimate. */
export const cutFactor = 0.95;
/** The cut when the 429 came at the user's stated rate: the quota is known, a 429 there is a timing collision. */
export const ceilingCutFactor = 0.98;
/** Time for the cubic probe to climb from the cut back to the estimate, ms. */
export const growthPeriodMs = 30_000;
/** Convex growth above the estimate: `estimate × (1 + probeGain × (τ − 1)³)`, τ in growth periods. */
export const probeGain = 0.2;
/** Slow start never runs above this multiple of the rate that demonstrably succeeded. */
export const demonstratedHeadroom = 2;
/** Once learned, probing never runs above this multiple of what the provider took in the last minute. */
export const probeHeadroom = 1.5;

/** How late after its slot a start may be and still keep the schedule, ms (timer and claim latency). */
export const lateStartToleranceMs = 50;

export const defaultLearnedRateSettings: LearnedRateSettings = { ceilingRequestsPerMinute: undefined, floorRequestsPerMinute: 1, initialRequestsPerMinute: 10 };

/** A key with nothing learned. */
export function createLearnedRate(settings: Partial<LearnedRateSettings> = {}): LearnedRateState {
  return { version: 1, settings: { ...defaultLearnedRateSettings, ...settings }, dimensions: {}, usage: [], pausedUntilMs: 0, nextSlotAtMs: undefined };
}

/** Applies new bounds (the user changed the RPM); what was learned is kept. */
export function withSettings(state: LearnedRateState, settings: Partial<LearnedRateSettings>): LearnedRateState {
  return { ...state, settings: { ...state.settings, ...settings } };
}

/**
 * Records a start (of any process sharing the state) and what it asks for. The next slot is this
 * slot plus the spacing; a start up to `lateStartToleranceMs` after its slot keeps the schedule
 * (a timer or a claim that fired late does not slow the pace), a later one restarts it from the
 * start. Starts minus refusals are what a 429's estimate counts.
 */
export function onRequestStarted(state: LearnedRateState, startedAtMs: number, usage: RequestUsage = {}): LearnedRateState {
  const slotAtMs = Math.max(state.nextSlotAtMs ?? startedAtMs, startedAtMs - lateStartToleranceMs);
  return { ...state, nextSlotAtMs: slotAtMs + spacingMs(state, startedAtMs, usage), usage: addUsage(state.usage, 'started', startedAtMs, usage) };
}

/** Records a request that succeeded and what it used; growth is bounded by what demonstrably succeeds. */
export function onRequestSucceeded(state: LearnedRateState, nowMs: number, usage: RequestUsage = {}): LearnedRateState {
  return { ...state, usage: addUsage(state.usage, 'succeeded', nowMs, usage) };
}

/**
 * A 429. Honours the retry delay; for a per-minute dimension, estimates its quota (see the file
 * comment) and restarts from `cutFactor` of it (`ceilingCutFactor` when the 429 came at the
 * user's ceiling), unless the request started before the last cut of that dimension. A per-day
 * 429 changes no rate: the per-day pause until midnight Pacific is the engine's.
 */
export function onRateLimited(state: LearnedRateState, event: RateLimitedEvent): LearnedRateState {
  const { nowMs } = event;
  const pausedUntilMs = event.retryAfterMs !== undefined && event.retryAfterMs > 0 ? Math.max(state.pausedUntilMs, nowMs + event.retryAfterMs) : state.pausedUntilMs;
  const paused = { ...state, pausedUntilMs, usage: addUsage(state.usage, 'refused', event.startedAtMs ?? nowMs, event.usage) };
  if (event.quotaDimension === 'requests-per-day') return paused;
  const dimension: PacedDimension = event.quotaDimension === undefined || event.quotaDimension === 'unknown' ? 'requests-per-minute' : event.quotaDimension;
  const learned = state.dimensions[dimension];
  if (learned && event.startedAtMs !== undefined && event.startedAtMs < learned.lastCutAtMs) return paused;
  // The quota is what the provider took in its window; that can exceed neither the rate that ran
  // nor, after a cut, the estimate then (a refusal storm of a full minute window says no more).
  const running = dimensionRate(state, dimension, nowMs) ?? Number.POSITIVE_INFINITY;
  const taken = takenPerMinute(paused.usage, dimension, nowMs, event.retryAfterMs);
  const estimatedPerMinute = Math.max(floorOf(state, dimension), Math.min(Math.max(running, learned?.estimatedPerMinute ?? 0), taken));
  const ceiling = dimension === 'requests-per-minute' ? state.settings.ceilingRequestsPerMinute : undefined;
  const restartShare = ceiling !== undefined && running >= 0.99 * ceiling ? ceilingCutFactor : cutFactor;
  return { ...paused, dimensions: { ...state.dimensions, [dimension]: { estimatedPerMinute, lastCutAtMs: nowMs, restartShare } } };
}

/** The pace of a dimension now, in its unit per minute; undefined for a dimension not learned (unpaced). */
export function dimensionRate(state: LearnedRateState, dimension: PacedDimension, nowMs: number): number | undefined {
  const learned = state.dimensions[dimension];
  const demonstrated = demonstratedPerMinute(state.usage, dimension, nowMs);
  let rate: number;
  if (!learned) {
    if (dimension !== 'requests-per-minute') return undefined;
    rate = Math.max(state.settings.initialRequestsPerMinute, demonstratedHeadroom * demonstrated);
  } else {
    const periods = Math.max(0, nowMs - learned.lastCutAtMs) / growthPeriodMs;
    const shape = periods < 1 ? 1 - (1 - learned.restartShare) * (1 - periods) ** 3 : 1 + probeGain * (periods - 1) ** 3;
    // Above what the provider took over the last minute by at most `probeHeadroom`: a minute window
    // answers a probe only once it is full, so an unbounded probe would pour into its gaps.
    const taken = ratePerMinute(state.usage, 'started', dimension, nowMs, minuteMs) - ratePerMinute(state.usage, 'refused', dimension, nowMs, minuteMs);
    rate = Math.min(learned.estimatedPerMinute * shape, Math.max(learned.restartShare * learned.estimatedPerMinute, probeHeadroom * taken));
  }
  if (dimension !== 'requests-per-minute') return Math.max(floorOf(state, dimension), rate);
  const ceiling = state.settings.ceilingRequestsPerMinute ?? Number.POSITIVE_INFINITY;
  return Math.min(ceiling, Math.max(state.settings.floorRequestsPerMinute, rate));
}

/** The request pace now, requests per minute (the binding dimension converted with the mean usage per request). */
export function currentRate(state: LearnedRateState, nowMs: number): number {
  return minuteMs / paceSpacingMs(state, nowMs);
}

/**
 * The earliest the next request may start, epoch ms (never before `nowMs`): the shared schedule's
 * next slot, and never inside an announced retry delay. Rounded up to whole ms.
 */
export function nextStartAtMs(state: LearnedRateState, nowMs: number): number {
  return Math.max(nowMs, Math.ceil(state.nextSlotAtMs ?? nowMs), Math.ceil(state.pausedUntilMs));
}

/** What the user is shown for this key. */
export function learnedRateView(state: LearnedRateState, nowMs: number): LearnedRateView {
  const ratesPerMinute: Partial<Record<PacedDimension, number>> = {};
  const estimatedPerMinute: Partial<Record<PacedDimension, number>> = {};
  for (const dimension of pacedDimensions) {
    const rate = dimensionRate(state, dimension, nowMs);
    if (rate !== undefined) ratesPerMinute[dimension] = rate;
    const learned = state.dimensions[dimension];
    if (learned) estimatedPerMinute[dimension] = learned.estimatedPerMinute;
  }
  return {
    phase: state.dimensions['requests-per-minute'] ? 'learned' : 'discovering',
    ratesPerMinute,
    estimatedPerMinute,
    pausedUntilMs: state.pausedUntilMs > nowMs ? state.pausedUntilMs : undefined,
  };
}

const pacedDimensions: readonly PacedDimension[] = ['requests-per-minute', 'images-per-minute', 'input-tokens-per-minute'];

function spacingMs(state: LearnedRateState, nowMs: number, usage?: RequestUsage): number {
  // Late starts within the tolerance keep the schedule, so consecutive starts can be up to the
  // tolerance closer than the spacing; at the user's ceiling the spacing makes room for that, so no
  // window of a minute ever holds more starts than the ceiling.
  const ceiling = state.settings.ceilingRequestsPerMinute;
  const ceilingMinuteMs = minuteMs + lateStartToleranceMs + (state.settings.ceilingArrivalMarginMs ?? 0);
  return Math.max(paceSpacingMs(state, nowMs, usage), ceiling === undefined ? 0 : ceilingMinuteMs / ceiling);
}

/** Time between starts that every learned dimension's rate allows for a request of `usage`, ms. */
function paceSpacingMs(state: LearnedRateState, nowMs: number, usage?: RequestUsage): number {
  let spacing = 0;
  for (const dimension of pacedDimensions) {
    const rate = dimensionRate(state, dimension, nowMs);
    if (rate === undefined) continue;
    const units = unitsFor(state, dimension, nowMs, usage);
    spacing = Math.max(spacing, (minuteMs * units) / rate);
  }
  return spacing;
}

function unitsFor(state: LearnedRateState, dimension: PacedDimension, nowMs: number, usage: RequestUsage | undefined): number {
  if (dimension === 'requests-per-minute') return 1;
  if (dimension === 'images-per-minute') return usage?.images ?? meanUnitsPerRequest(state.usage, dimension, nowMs, 1);
  return usage?.inputTokens ?? meanUnitsPerRequest(state.usage, dimension, nowMs, 0);
}

/** Images and tokens have no configured floor: one unit per minute keeps a learned dimension alive. */
function floorOf(state: LearnedRateState, dimension: PacedDimension): number {
  return dimension === 'requests-per-minute' ? state.settings.floorRequestsPerMinute : 1;
}
