/**
 * The issue-18 goals for the learned-rate controller, checked in simulated time against a hidden
 * quota (see `simulation.ts`): deterministic, seeded, no timers. Steady minutes are 3–10 of a
 * 10-minute run; the first minutes are discovery.
 */
import { describe, expect, it } from 'vitest';
import type { LearnedRateState } from '../../../src/engine/learned-rate/learned-rate.js';
import type { HiddenQuotaLimits } from '../../fakes/gemini/hidden-quota-policy.js';
import { measure, mostStartsInAnyMinute, simulate, simulateUsersLoop, startsInsideRetryDelays } from './simulation.js';

const minuteMs = 60_000;
const runMs = 10 * minuteMs;
const steadyFromMs = 3 * minuteMs;

const unknownQuotas: Array<{ name: string; limits: HiddenQuotaLimits; perMinute: number }> = [
  { name: '120/min as 10 per 5 s', limits: { requests: { limit: 10, windowMs: 5000 } }, perMinute: 120 },
  { name: '720/min as 60 per 5 s', limits: { requests: { limit: 60, windowMs: 5000 } }, perMinute: 720 },
  { name: '120/min as 120 per minute', limits: { requests: { limit: 120, windowMs: minuteMs } }, perMinute: 120 },
  { name: '720/min as 720 per minute', limits: { requests: { limit: 720, windowMs: minuteMs } }, perMinute: 720 },
  { name: '120/min as 10 per fixed 5 s', limits: { requests: { limit: 10, windowMs: 5000, kind: 'fixed' } }, perMinute: 120 },
  { name: '720/min as 720 per fixed minute', limits: { requests: { limit: 720, windowMs: minuteMs, kind: 'fixed' } }, perMinute: 720 },
];

describe('learned rate against an unknown quota', () => {
  it.each(unknownQuotas)('$name: ≥ 0.85 of it over the steady minutes, ≤ 5% 429s, nothing inside a retry delay', ({ limits, perMinute }) => {
    const result = simulate({ seed: 1, durationMs: runMs, limits });
    const steady = measure(result, steadyFromMs, runMs, perMinute);
    expect(steady.utilisation).toBeGreaterThanOrEqual(0.85);
    expect(steady.refusedShare).toBeLessThanOrEqual(0.05);
    expect(measure(result, 0, runMs, perMinute).refusedShare).toBeLessThanOrEqual(0.05);
    expect(startsInsideRetryDelays(result)).toBe(0);
    const learned = (JSON.parse(result.finalStateJson) as LearnedRateState).dimensions['requests-per-minute']?.estimatedPerMinute ?? 0;
    expect(learned).toBeGreaterThan(0.8 * perMinute);
    expect(learned).toBeLessThan(1.1 * perMinute);
  });
});

describe('learned rate when the quota changes mid-run', () => {
  it.each([
    { name: '10 per 5 s', limit: 10, windowMs: 5000 },
    { name: '720 per minute', limit: 720, windowMs: minuteMs },
  ])('$name halved at 5 min, doubled back at 10 min: ≥ 0.8 of the new quota in the second minute after each change', ({ limit, windowMs }) => {
    const perMinute = (limit * minuteMs) / windowMs;
    const result = simulate({
      seed: 5,
      durationMs: 15 * minuteMs,
      limits: { requests: { limit, windowMs } },
      limitChanges: [
        { atMs: 5 * minuteMs, limits: { requests: { limit: limit / 2, windowMs } } },
        { atMs: 10 * minuteMs, limits: { requests: { limit, windowMs } } },
      ],
    });
    expect(measure(result, 6 * minuteMs, 7 * minuteMs, perMinute / 2).utilisation).toBeGreaterThanOrEqual(0.8);
    expect(measure(result, 11 * minuteMs, 12 * minuteMs, perMinute).utilisation).toBeGreaterThanOrEqual(0.8);
    expect(measure(result, 12 * minuteMs, 15 * minuteMs, perMinute).utilisation).toBeGreaterThanOrEqual(0.85);
    expect(startsInsideRetryDelays(result)).toBe(0);
  });

  it('finds a quota raised from 120 to 240 a minute: ≥ 0.8 of it in the second minute after', () => {
    const result = simulate({ seed: 6, durationMs: runMs, limits: { requests: { limit: 10, windowMs: 5000 } }, limitChanges: [{ atMs: 5 * minuteMs, limits: { requests: { limit: 20, windowMs: 5000 } } }] });
    expect(measure(result, 6 * minuteMs, 7 * minuteMs, 240).utilisation).toBeGreaterThanOrEqual(0.8);
    expect(measure(result, 7 * minuteMs, runMs, 240).utilisation).toBeGreaterThanOrEqual(0.85);
  });
});

describe('learned rate with a rate the user set', () => {
  it.each([
    { name: '10 per 5 s', limits: { requests: { limit: 10, windowMs: 5000 } }, perMinute: 120 },
    { name: '720 per minute', limits: { requests: { limit: 720, windowMs: minuteMs } }, perMinute: 720 },
  ])('known quota ($name): ≥ 0.95 of it with ≤ 2% 429s, and never above it', ({ limits, perMinute }) => {
    const result = simulate({ seed: 8, durationMs: runMs, limits, settings: { ceilingRequestsPerMinute: perMinute } });
    const steady = measure(result, steadyFromMs, runMs, perMinute);
    expect(steady.utilisation).toBeGreaterThanOrEqual(0.95);
    expect(steady.refusedShare).toBeLessThanOrEqual(0.02);
    expect(mostStartsInAnyMinute(result)).toBeLessThanOrEqual(perMinute);
  });

  it('a ceiling under the quota is never exceeded in any minute, and is used', () => {
    const result = simulate({ seed: 9, durationMs: runMs, limits: { requests: { limit: 10, windowMs: 5000 } }, settings: { ceilingRequestsPerMinute: 90 } });
    expect(mostStartsInAnyMinute(result)).toBeLessThanOrEqual(90);
    expect(measure(result, steadyFromMs, runMs, 90).utilisation).toBeGreaterThanOrEqual(0.98);
    expect(measure(result, 0, runMs, 90).refused).toBe(0);
  });
});

describe('learned rate shared by processes', () => {
  it('three processes on one persisted state discover one shared quota', () => {
    const result = simulate({ seed: 7, durationMs: runMs, processes: 3, limits: { requests: { limit: 10, windowMs: 5000 } } });
    const steady = measure(result, steadyFromMs, runMs, 120);
    expect(steady.utilisation).toBeGreaterThanOrEqual(0.85);
    expect(steady.refusedShare).toBeLessThanOrEqual(0.05);
    expect(startsInsideRetryDelays(result)).toBe(0);
    for (const process of [0, 1, 2]) expect(result.starts.filter((start) => start.process === process).length).toBeGreaterThan(result.starts.length / 5);
    const learned = (JSON.parse(result.finalStateJson) as LearnedRateState).dimensions['requests-per-minute']?.estimatedPerMinute ?? 0;
    expect(learned).toBeGreaterThan(100);
    expect(learned).toBeLessThan(132);
  });
});

describe('learned rate beside the users\' loop', () => {
  // With calls of 1.5–3.5 s the users' loop takes ~0.41 of a 120/min quota (the issue measured
  // 0.48), so 4× is out of reach there (it would be 1.6–1.9 of the quota): ≥ 2× at 120/min, ≥ 4×
  // at 720/min, where three loops cannot come near the quota.
  it.each([
    { name: '120/min', limits: { requests: { limit: 10, windowMs: 5000 } }, perMinute: 120, atLeast: 2 },
    { name: '720/min', limits: { requests: { limit: 60, windowMs: 5000 } }, perMinute: 720, atLeast: 4 },
  ])('$name, each on its own key: the controller gets at least $atLeast× the accepted calls', ({ limits, perMinute, atLeast }) => {
    const latencyMs = { minMs: 1500, maxMs: 3500 };
    const controller = measure(simulate({ seed: 14, durationMs: runMs, limits, latencyMs }), steadyFromMs, runMs, perMinute);
    const usersLoop = measure({ ...simulateUsersLoop({ seed: 14, durationMs: runMs, limits, latencyMs }), starts: [], retryWindows: [], finalStateJson: '' }, steadyFromMs, runMs, perMinute);
    expect(usersLoop.utilisation).toBeGreaterThan(perMinute === 120 ? 0.35 : 0.05);
    expect(controller.utilisation).toBeGreaterThanOrEqual(0.85);
    expect(controller.accepted).toBeGreaterThanOrEqual(atLeast * usersLoop.accepted);
  });
});

describe('learned rate across a restart', () => {
  it('a process restarted after a minute down continues from the persisted state, not from slow start', () => {
    const limits: HiddenQuotaLimits = { requests: { limit: 10, windowMs: 5000 } };
    const first = simulate({ seed: 12, durationMs: 5 * minuteMs, limits });
    const fresh = simulate({ seed: 13, startAtMs: 6 * minuteMs, durationMs: 5 * minuteMs, limits });
    const restarted = simulate({ seed: 13, startAtMs: 6 * minuteMs, durationMs: 5 * minuteMs, limits, initialStateJson: first.finalStateJson });
    expect(measure(fresh, 6 * minuteMs, 7 * minuteMs, 120).utilisation).toBeLessThan(0.6);
    expect(measure(restarted, 6 * minuteMs, 7 * minuteMs, 120).utilisation).toBeGreaterThanOrEqual(0.85);
    expect(startsInsideRetryDelays(restarted)).toBe(0);
  });
});

describe('learned rate in the other Gemini dimensions', () => {
  it('learns images per minute from the 429 that names it', () => {
    const result = simulate({ seed: 10, durationMs: runMs, limits: { requests: { limit: 10, windowMs: 5000 }, imagesPerMinute: 160 }, imagesPerRequest: 2 });
    const images = result.arrivals.filter((arrival) => arrival.arrivalMs >= steadyFromMs && arrival.status === 200).reduce((sum, arrival) => sum + arrival.images, 0);
    expect(images / (160 * 7)).toBeGreaterThanOrEqual(0.85);
    expect(measure(result, steadyFromMs, runMs, 80).refusedShare).toBeLessThanOrEqual(0.05);
    expect((JSON.parse(result.finalStateJson) as LearnedRateState).dimensions['images-per-minute']).toBeDefined();
  });

  it('learns input tokens per minute from the 429 that names it', () => {
    const result = simulate({ seed: 11, durationMs: runMs, limits: { requests: { limit: 10, windowMs: 5000 }, inputTokensPerMinute: 30_000 }, inputTokensPerRequest: 400 });
    expect(measure(result, steadyFromMs, runMs, 75).utilisation).toBeGreaterThanOrEqual(0.85);
    expect(measure(result, steadyFromMs, runMs, 75).refusedShare).toBeLessThanOrEqual(0.05);
    expect((JSON.parse(result.finalStateJson) as LearnedRateState).dimensions['input-tokens-per-minute']).toBeDefined();
  });
});
