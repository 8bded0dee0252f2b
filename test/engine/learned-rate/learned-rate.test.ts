import { describe, expect, it } from 'vitest';
import {
  createLearnedRate,
  currentRate,
  cutFactor,
  dimensionRate,
  growthPeriodMs,
  learnedRateView,
  nextStartAtMs,
  onRateLimited,
  onRequestStarted,
  onRequestSucceeded,
  withSettings,
  type LearnedRateState,
} from '../../../src/engine/learned-rate/learned-rate.js';
import { addUsage, ratePerMinute, takenPerMinute } from '../../../src/engine/learned-rate/usage-buckets.js';

/** Runs `perMinute` evenly spaced calls for `durationMs` from `fromMs`, each succeeding at once. */
function steadyTraffic(state: LearnedRateState, fromMs: number, durationMs: number, perMinute: number): LearnedRateState {
  const spacingMs = 60_000 / perMinute;
  let current = state;
  for (let atMs = fromMs; atMs < fromMs + durationMs; atMs += spacingMs) {
    current = onRequestSucceeded(onRequestStarted(current, atMs), atMs);
  }
  return current;
}

describe('learned rate: slow start', () => {
  it('starts at the initial rate and paces it evenly', () => {
    const state = createLearnedRate();
    expect(currentRate(state, 0)).toBe(10);
    expect(nextStartAtMs(state, 1000)).toBe(1000);
    const started = onRequestStarted(state, 1000);
    expect(nextStartAtMs(started, 1000)).toBe(7000);
    expect(nextStartAtMs(started, 9000)).toBe(9000);
    // A start a little late keeps the schedule; a start much later restarts it.
    expect(nextStartAtMs(onRequestStarted(started, 7040), 7040)).toBe(13_000);
    expect(nextStartAtMs(onRequestStarted(started, 9000), 9000)).toBe(14_950);
    expect(learnedRateView(state, 0)).toEqual({ phase: 'discovering', ratesPerMinute: { 'requests-per-minute': 10 }, estimatedPerMinute: {}, pausedUntilMs: undefined });
  });

  it('runs at twice the rate that succeeded lately', () => {
    const state = steadyTraffic(createLearnedRate(), 0, 60_000, 30);
    expect(currentRate(state, 60_000)).toBeGreaterThan(57);
    expect(currentRate(state, 60_000)).toBeLessThanOrEqual(62);
  });
});

describe('learned rate: a 429', () => {
  it('estimates the quota from what was taken and restarts from the cut share of it', () => {
    let state = steadyTraffic(createLearnedRate(), 0, 60_000, 100);
    state = onRateLimited(state, { nowMs: 60_000, startedAtMs: 59_990, quotaDimension: 'requests-per-minute' });
    const estimate = state.dimensions['requests-per-minute']?.estimatedPerMinute ?? 0;
    expect(estimate).toBeGreaterThan(95);
    expect(estimate).toBeLessThanOrEqual(101);
    expect(currentRate(state, 60_000)).toBeCloseTo(cutFactor * estimate, 5);
    expect(learnedRateView(state, 60_000).phase).toBe('learned');
  });

  it('climbs back to the estimate in one growth period, then probes above it', () => {
    let state = steadyTraffic(createLearnedRate(), 0, 60_000, 100);
    state = onRateLimited(state, { nowMs: 60_000, quotaDimension: 'unknown' });
    const estimate = state.dimensions['requests-per-minute']?.estimatedPerMinute ?? 0;
    state = steadyTraffic(state, 60_000, growthPeriodMs / 2, estimate);
    const halfway = dimensionRate(state, 'requests-per-minute', 60_000 + growthPeriodMs / 2) ?? 0;
    expect(halfway).toBeGreaterThan(cutFactor * estimate);
    expect(halfway).toBeLessThan(estimate);
    state = steadyTraffic(state, 60_000 + growthPeriodMs / 2, growthPeriodMs / 2, estimate);
    expect(dimensionRate(state, 'requests-per-minute', 60_000 + growthPeriodMs)).toBeCloseTo(estimate, 5);
    // Above the estimate the probe is bounded by 1.5 × what was taken in the last minute.
    state = steadyTraffic(state, 60_000 + growthPeriodMs, 2 * growthPeriodMs, estimate * 1.2);
    const probing = dimensionRate(state, 'requests-per-minute', 60_000 + 3 * growthPeriodMs) ?? 0;
    expect(probing).toBeGreaterThan(estimate * 1.5);
    expect(probing).toBeLessThanOrEqual(1.5 * 1.2 * estimate * 1.02);
  });

  it('honours the retry delay for every process sharing the state, without a burst after it', () => {
    let state = steadyTraffic(createLearnedRate(), 0, 60_000, 60);
    state = onRateLimited(state, { nowMs: 60_000, retryAfterMs: 12_000, quotaDimension: 'requests-per-minute' });
    expect(nextStartAtMs(state, 60_001)).toBe(72_000);
    expect(learnedRateView(state, 61_000).pausedUntilMs).toBe(72_000);
    state = onRequestStarted(state, 72_000);
    expect(nextStartAtMs(state, 72_000)).toBeGreaterThan(72_000 + 60_000 / 60);
  });

  it('cuts once per flight: a 429 for a call started before the last cut changes no rate', () => {
    let state = steadyTraffic(createLearnedRate(), 0, 60_000, 100);
    state = onRateLimited(state, { nowMs: 60_000, quotaDimension: 'requests-per-minute' });
    const afterFirst = state.dimensions['requests-per-minute'];
    const stale = onRateLimited(state, { nowMs: 60_100, startedAtMs: 59_000, retryAfterMs: 500, quotaDimension: 'requests-per-minute' });
    expect(stale.dimensions['requests-per-minute']).toEqual(afterFirst);
    expect(stale.pausedUntilMs).toBe(60_600);
    const fresh = onRateLimited(state, { nowMs: 61_000, startedAtMs: 60_500, quotaDimension: 'requests-per-minute' });
    expect(fresh.dimensions['requests-per-minute']?.lastCutAtMs).toBe(61_000);
  });

  it('learns images and input tokens per minute only from a 429 that names them, and paces by them', () => {
    let state = createLearnedRate();
    for (let atMs = 0; atMs < 60_000; atMs += 1000) state = onRequestSucceeded(onRequestStarted(state, atMs, { images: 4, inputTokens: 500 }), atMs, { images: 4, inputTokens: 500 });
    expect(dimensionRate(state, 'images-per-minute', 60_000)).toBeUndefined();
    state = onRateLimited(state, { nowMs: 60_000, quotaDimension: 'images-per-minute', usage: { images: 4, inputTokens: 500 } });
    const images = state.dimensions['images-per-minute']?.estimatedPerMinute ?? 0;
    expect(images).toBeGreaterThan(200);
    expect(images).toBeLessThanOrEqual(244);
    // Four images a call at ~0.95 × 240 images per minute: a call every ~1.05 s, far slower than the request rate allows.
    expect(nextStartAtMs(onRequestStarted(state, 60_000, { images: 4 }), 60_000) - 60_000).toBeGreaterThan(1000);
    expect(state.dimensions['requests-per-minute']).toBeUndefined();
    const tokens = onRateLimited(state, { nowMs: 60_000, quotaDimension: 'input-tokens-per-minute' });
    expect(tokens.dimensions['input-tokens-per-minute']?.estimatedPerMinute ?? 0).toBeGreaterThan(25_000);
  });

  it('leaves every rate alone on a per-day 429 (the engine pauses until midnight Pacific)', () => {
    const state = steadyTraffic(createLearnedRate(), 0, 60_000, 100);
    const after = onRateLimited(state, { nowMs: 60_000, retryAfterMs: 3_600_000, quotaDimension: 'requests-per-day' });
    expect(after.dimensions).toEqual({});
    expect(currentRate(after, 60_000)).toBe(currentRate(state, 60_000));
  });
});

describe('learned rate: bounds', () => {
  it('never exceeds the user ceiling, never goes under the floor', () => {
    let state = steadyTraffic(createLearnedRate({ ceilingRequestsPerMinute: 50 }), 0, 60_000, 200);
    expect(currentRate(state, 60_000)).toBe(50);
    // Spaced (60 s + the 50-ms late-start tolerance) / 50, so no minute ever holds 51 starts.
    expect(nextStartAtMs(onRequestStarted({ ...state, nextSlotAtMs: undefined }, 60_000), 60_000)).toBe(61_201);
    state = withSettings(state, { ceilingRequestsPerMinute: undefined, floorRequestsPerMinute: 5 });
    expect(currentRate(state, 60_000)).toBeGreaterThan(50);
    const starved = onRateLimited(createLearnedRate({ floorRequestsPerMinute: 5 }), { nowMs: 1000, quotaDimension: 'requests-per-minute' });
    expect(currentRate(starved, 1000)).toBe(5);
  });

  it('keeps the state a plain object that survives JSON unchanged', () => {
    let state = steadyTraffic(createLearnedRate({ ceilingRequestsPerMinute: 500 }), 0, 30_000, 120);
    state = onRateLimited(state, { nowMs: 30_000, retryAfterMs: 800, quotaDimension: 'input-tokens-per-minute', usage: { inputTokens: 10 } });
    const copy = JSON.parse(JSON.stringify(state)) as LearnedRateState;
    expect(copy).toEqual(state);
    expect(nextStartAtMs(copy, 31_000)).toBe(nextStartAtMs(state, 31_000));
  });
});

describe('usage buckets', () => {
  it('keep one minute, and rate over the span they cover', () => {
    let buckets = addUsage([], 'started', 500);
    for (let atMs = 1000; atMs <= 120_000; atMs += 500) buckets = addUsage(buckets, 'started', atMs);
    expect(buckets.length).toBeLessThanOrEqual(62);
    expect(ratePerMinute(buckets, 'started', 'requests-per-minute', 120_600, 60_000)).toBeCloseTo(120, -1);
    expect(ratePerMinute(buckets, 'started', 'requests-per-minute', 120_600, 10_000)).toBeCloseTo(120, -1);
  });

  it('count what was taken as started minus refused, and skip horizons shorter than the retry delay', () => {
    let buckets = addUsage([], 'started', 0);
    for (let atMs = 0; atMs < 50_000; atMs += 500) buckets = addUsage(buckets, 'started', atMs);
    for (let atMs = 50_000; atMs < 60_000; atMs += 100) buckets = addUsage(addUsage(buckets, 'started', atMs), 'refused', atMs);
    // The last 10 s: 100 started, 100 refused; the minute: ~100 taken.
    expect(takenPerMinute(buckets, 'requests-per-minute', 59_999)).toBeCloseTo(101, 0);
    // A burst of 30 s into an empty minute window reads as its 10-s rate unless the delay rules that horizon out.
    let burst = addUsage([], 'started', 30_000);
    for (let atMs = 30_000; atMs < 60_000; atMs += 100) burst = addUsage(burst, 'started', atMs);
    expect(takenPerMinute(burst, 'requests-per-minute', 59_999)).toBeGreaterThan(590);
    expect(takenPerMinute(burst, 'requests-per-minute', 59_999, 30_000)).toBeLessThan(160);
  });
});
