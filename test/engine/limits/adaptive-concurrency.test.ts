import { describe, expect, it } from 'vitest';
import { effectiveConcurrency, onRateLimited, onSuccess } from '../../../src/engine/limits/adaptive-concurrency.js';

describe('adaptive concurrency (AIMD)', () => {
  it('runs at the configured cap until a limit is learned, floors a fractional limit, and never goes below 1 or above the cap', () => {
    expect(effectiveConcurrency(8, undefined)).toBe(8);
    expect(effectiveConcurrency(8, 3.7)).toBe(3);
    expect(effectiveConcurrency(8, 0.4)).toBe(1);
    expect(effectiveConcurrency(4, 12)).toBe(4);
  });

  it('halves on a 429 and holds the key until the server delay', () => {
    expect(onRateLimited(undefined, 5_000, 8, 1_000)).toEqual({ nextRequestAtMs: 5_000, concurrencyLimit: 4 });
    expect(onRateLimited({ nextRequestAtMs: 0, concurrencyLimit: 3 }, 5_000, 8, 1_000)).toEqual({ nextRequestAtMs: 5_000, concurrencyLimit: 1 });
    expect(onRateLimited({ nextRequestAtMs: 0, concurrencyLimit: 1 }, 5_000, 8, 1_000).concurrencyLimit).toBe(1);
  });

  it('holds but does not halve an evenly paced fixed rate (the pace keeps the rate)', () => {
    expect(onRateLimited(undefined, 5_000, 8, 1_000, false)).toEqual({ nextRequestAtMs: 5_000, concurrencyLimit: 8 });
    expect(onRateLimited({ nextRequestAtMs: 7_000, concurrencyLimit: 3 }, 5_000, 8, 1_000, false)).toEqual({ nextRequestAtMs: 7_000, concurrencyLimit: 3 });
  });

  it('halves only once per hold: a burst of 429s from calls already in flight keeps the limit, and never shortens the hold', () => {
    const first = onRateLimited(undefined, 5_000, 8, 1_000);
    const second = onRateLimited(first, 3_000, 8, 1_100);
    expect(second).toEqual({ nextRequestAtMs: 5_000, concurrencyLimit: 4 });
    // After the hold ended, a new 429 halves again.
    expect(onRateLimited(second, 9_000, 8, 6_000)).toEqual({ nextRequestAtMs: 9_000, concurrencyLimit: 2 });
  });

  it('grows back by about 1/limit per success and returns to the configured cap', () => {
    expect(onSuccess(2, 8)).toBe(2.5);
    expect(onSuccess(4, 8)).toBe(4.25);
    expect(onSuccess(7.9, 8)).toBeUndefined();
    let limit: number | undefined = 1;
    let successes = 0;
    while (limit !== undefined) {
      limit = onSuccess(limit, 4);
      successes += 1;
    }
    expect(successes).toBeGreaterThan(3);
    expect(successes).toBeLessThan(20);
  });
});
