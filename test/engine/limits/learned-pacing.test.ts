import { describe, expect, it } from 'vitest';
import { createLearnedRate } from '../../../src/engine/learned-rate/learned-rate.js';
import {
  isLearnedPaceOpen,
  learnedNextStartAtMs,
  learnedRateAfterRateLimited,
  learnedRateAfterStart,
  learnedRateAfterSuccess,
  learnedStateFor,
  type StoredLearnedRate,
} from '../../../src/engine/limits/learned-pacing.js';
import { decideLimitEligibility } from '../../../src/engine/limits/limit-eligibility.js';
import { ClaimPlanner, type RunnableJob } from '../../../src/engine/scheduling/claim-planner.js';
import type { ProviderLimitPolicy } from '../../../src/engine/ports.js';

const nowMs = 1_800_000_000_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'gemini:m', providerId: 'gemini', requestsPerMinute: 0, maxConcurrency: 100, cooldownMs: 0, credentialFingerprint: 'key-1', learnedRate: true, ...overrides };
}

describe('learned pacing (a key whose rate is auto)', () => {
  it('lets a key with nothing learned start, then spaces starts at the initial 10/min', () => {
    expect(isLearnedPaceOpen(undefined, 'key-1', nowMs)).toBe(true);
    const started = learnedRateAfterStart(undefined, 'key-1', nowMs);
    expect(started.credentialFingerprint).toBe('key-1');
    expect(learnedNextStartAtMs(started, 'key-1', nowMs)).toBe(nowMs + 6_000);
    expect(isLearnedPaceOpen(started, 'key-1', nowMs + 5_999)).toBe(false);
    expect(isLearnedPaceOpen(started, 'key-1', nowMs + 6_000)).toBe(true);
  });

  it('starts over when the credentials changed (another key is another quota)', () => {
    const started = learnedRateAfterStart(undefined, 'key-1', nowMs);
    expect(isLearnedPaceOpen(started, 'key-2', nowMs + 1)).toBe(true);
    expect(learnedStateFor(started, 'key-2')).toEqual(createLearnedRate());
    expect(learnedRateAfterStart(started, 'key-2', nowMs + 1).state.usage).toHaveLength(1);
  });

  it('records successes only for a key that learns, and honours the retry delay a 429 announces', () => {
    expect(learnedRateAfterSuccess(undefined, nowMs)).toBeUndefined();
    expect(learnedRateAfterRateLimited(undefined, { nowMs, startedAtMs: nowMs, retryAfterMs: 1, quotaDimension: undefined })).toBeUndefined();
    let stored: StoredLearnedRate = learnedRateAfterStart(undefined, 'key-1', nowMs);
    stored = learnedRateAfterSuccess(stored, nowMs + 1_000)!;
    expect(stored.state.usage[stored.state.usage.length - 1]?.succeeded.requests).toBe(1);
    stored = learnedRateAfterRateLimited(stored, { nowMs: nowMs + 2_000, startedAtMs: nowMs, retryAfterMs: 20_000, quotaDimension: 'requests-per-minute' })!;
    expect(stored.state.dimensions['requests-per-minute']).toBeDefined();
    expect(learnedNextStartAtMs(stored, 'key-1', nowMs + 2_000)).toBe(nowMs + 22_000);
  });

  it('is part of limit eligibility for learned keys only', () => {
    const started = learnedRateAfterStart(undefined, 'key-1', nowMs);
    const snapshot = { nowMs: nowMs + 1, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map(), learnedRatesByLimitKey: new Map([['gemini:m', started]]) };
    expect([...decideLimitEligibility([policy()], snapshot).eligible.keys()]).toEqual([]);
    expect([...decideLimitEligibility([policy({ learnedRate: false })], snapshot).eligible.keys()]).toEqual(['gemini:m']);
  });

  it('lets one claim start only one request of a paced key (no burst)', () => {
    const job: RunnableJob = {
      id: 'j',
      providerKey: 'gemini:m',
      lane: 'online',
      execution: 'parallel',
      status: 'queued',
      budgetUsd: undefined,
      spentUsd: 0,
      runningCount: 0,
      inFlightUsd: 0,
      priorityRank: 0,
      queuePosition: 0,
      lastClaimedAtMs: 0,
      createdAtMs: 0,
    };
    const planner = new ClaimPlanner([policy()], { nowMs, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map() }, [job], 10);
    const steps: string[] = [];
    for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
      steps.push(step.kind);
      if (step.kind === 'read-head') planner.provideHead(step.jobId, { id: `t${steps.length}`, availableAtMs: 0, estimatedCostUsd: 0 });
    }
    expect(steps.filter((kind) => kind === 'lease')).toHaveLength(1);
  });
});
