import { describe, expect, it } from 'vitest';
import type { LimitState } from '../../../src/engine/limits/limit-state.js';
import { earliestWakeAtMs, nextStartAtMs, startRequestRecheckMs } from '../../../src/engine/limits/next-start.js';
import { requestStartEffects } from '../../../src/engine/limits/request-start.js';

const nowMs = 500_000;

function state(overrides: Partial<LimitState>): LimitState {
  return { scopeKey: 'p:m', pausedReason: undefined, pausedUntilMs: undefined, pausedCredentialFingerprint: undefined, nextRequestAtMs: 0, concurrencyLimit: undefined, ...overrides };
}

describe('when a refused start may try again', () => {
  it('waits for the latest of the hold, a timed pause and the RPM slot', () => {
    expect(nextStartAtMs({ requestsPerMinute: 0 }, [state({ nextRequestAtMs: nowMs + 2_000 })], undefined, nowMs)).toBe(nowMs + 2_000);
    expect(
      nextStartAtMs({ requestsPerMinute: 0 }, [state({ nextRequestAtMs: nowMs + 2_000 }), state({ scopeKey: 'p', pausedReason: 'quota', pausedUntilMs: nowMs + 9_000 })], undefined, nowMs),
    ).toBe(nowMs + 9_000);
    expect(nextStartAtMs({ requestsPerMinute: 5 }, [], nowMs - 30_000, nowMs)).toBe(nowMs - 30_000 + 60_751);
  });

  it('asks again shortly when nothing says when (concurrency full, pause until the credentials change)', () => {
    expect(nextStartAtMs({ requestsPerMinute: 0 }, [state({ pausedReason: 'bad key' })], undefined, nowMs)).toBe(nowMs + startRequestRecheckMs);
    expect(startRequestRecheckMs).toBe(1_000);
  });

  it('wakes the idle engine at the earliest time anything changes', () => {
    expect(earliestWakeAtMs({ nextTaskAvailableAtMs: undefined, nextHoldEndsAtMs: undefined, nextPauseEndsAtMs: undefined, oldestStartInWindowMs: undefined })).toBeUndefined();
    expect(earliestWakeAtMs({ nextTaskAvailableAtMs: nowMs + 5_000, nextHoldEndsAtMs: nowMs + 3_000, nextPauseEndsAtMs: undefined, oldestStartInWindowMs: undefined })).toBe(nowMs + 3_000);
    expect(earliestWakeAtMs({ nextTaskAvailableAtMs: nowMs + 90_000, nextHoldEndsAtMs: undefined, nextPauseEndsAtMs: undefined, oldestStartInWindowMs: nowMs - 60_000 })).toBe(nowMs + 751);
  });
});

describe('what a request start writes', () => {
  const base = { providerKey: 'p:m', providerId: 'p', maxConcurrency: 2, credentialFingerprint: undefined };

  it('sets the cool-down hold and logs the start for the RPM window only when those limits are set', () => {
    expect(requestStartEffects({ ...base, requestsPerMinute: 0, cooldownMs: 0 }, nowMs)).toEqual({ limitKey: 'p:m', holdUntilMs: undefined, logStart: false, pruneAtOrBeforeMs: nowMs - 60_750 });
    expect(requestStartEffects({ ...base, requestsPerMinute: 10, cooldownMs: 250 }, nowMs)).toEqual({ limitKey: 'p:m', holdUntilMs: nowMs + 250, logStart: true, pruneAtOrBeforeMs: nowMs - 60_750 });
  });
});
