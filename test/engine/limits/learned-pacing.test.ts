import { describe, expect, it } from 'vitest';
import { createLearnedRate } from '../../../src/engine/learned-rate/learned-rate.js';
import {
  isLearnedPaceOpen,
  learnedNextStartAtMs,
  learnedRateAfterRateLimited,
  learnedRateAfterStart,
  learnedRateAfterSuccess,
  learnedStateFor,
  isShownAsLearned,
  type StoredLearnedRate,
} from '../../../src/engine/limits/learned-pacing.js';
import { decideLimitEligibility } from '../../../src/engine/limits/limit-eligibility.js';
import { ClaimPlanner, type RunnableJob } from '../../../src/engine/scheduling/claim-planner.js';
import type { ProviderLimitPolicy } from '../../../src/engine/ports.js';

const nowMs = 1_800_000_000_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'gemini:m', providerId: 'gemini', requestsPerMinute: 0, maxConcurrency: 100, cooldownMs: 0, credentialFingerprint: 'key-1', learnedRate: true, ...overrides };
}
const key1 = policy();
const key2 = policy({ credentialFingerprint: 'key-2' });
/** The user set 60/min: paced evenly at it. */
const fixed60 = policy({ learnedRate: false, requestsPerMinute: 60, evenPacing: true });

function runnableJob(): RunnableJob {
  return {
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
}

function leasesOfOneClaim(planner: ClaimPlanner): number {
  let leases = 0;
  let heads = 0;
  for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
    if (step.kind === 'lease') leases += 1;
    if (step.kind === 'read-head') planner.provideHead(step.jobId, { id: `t${(heads += 1)}`, availableAtMs: 0, estimatedCostUsd: 0 });
  }
  return leases;
}

describe('learned pacing (a key whose rate is auto)', () => {
  it('lets a key with nothing learned start, then spaces starts at the initial 10/min', () => {
    expect(isLearnedPaceOpen(undefined, key1, nowMs)).toBe(true);
    const started = learnedRateAfterStart(undefined, key1, nowMs);
    expect(started.credentialFingerprint).toBe('key-1');
    expect(learnedNextStartAtMs(started, key1, nowMs)).toBe(nowMs + 6_000);
    expect(isLearnedPaceOpen(started, key1, nowMs + 5_999)).toBe(false);
    expect(isLearnedPaceOpen(started, key1, nowMs + 6_000)).toBe(true);
  });

  it('starts over when the credentials changed (another key is another quota)', () => {
    const started = learnedRateAfterStart(undefined, key1, nowMs);
    expect(isLearnedPaceOpen(started, key2, nowMs + 1)).toBe(true);
    expect(learnedStateFor(started, key2)).toEqual(createLearnedRate());
    expect(learnedRateAfterStart(started, key2, nowMs + 1).state.usage).toHaveLength(1);
  });

  it('records successes only for a key that learns, and honours the retry delay a 429 announces', () => {
    expect(learnedRateAfterSuccess(undefined, nowMs)).toBeUndefined();
    expect(learnedRateAfterRateLimited(undefined, { nowMs, startedAtMs: nowMs, retryAfterMs: 1, quotaDimension: undefined })).toBeUndefined();
    let stored: StoredLearnedRate = learnedRateAfterStart(undefined, key1, nowMs);
    stored = learnedRateAfterSuccess(stored, nowMs + 1_000)!;
    expect(stored.state.usage[stored.state.usage.length - 1]?.succeeded.requests).toBe(1);
    stored = learnedRateAfterRateLimited(stored, { nowMs: nowMs + 2_000, startedAtMs: nowMs, retryAfterMs: 20_000, quotaDimension: 'requests-per-minute' })!;
    expect(stored.state.dimensions['requests-per-minute']).toBeDefined();
    expect(learnedNextStartAtMs(stored, key1, nowMs + 2_000)).toBe(nowMs + 22_000);
  });

  it('is part of limit eligibility for learned keys only', () => {
    const started = learnedRateAfterStart(undefined, key1, nowMs);
    const snapshot = { nowMs: nowMs + 1, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map(), learnedRatesByLimitKey: new Map([['gemini:m', started]]) };
    expect([...decideLimitEligibility([policy()], snapshot).eligible.keys()]).toEqual([]);
    expect([...decideLimitEligibility([policy({ learnedRate: false })], snapshot).eligible.keys()]).toEqual(['gemini:m']);
  });

  it('lets one claim start only one request of a paced key (no burst)', () => {
    const job = runnableJob();
    const planner = new ClaimPlanner([policy()], { nowMs, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map() }, [job], 10);
    const steps: string[] = [];
    for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
      steps.push(step.kind);
      if (step.kind === 'read-head') planner.provideHead(step.jobId, { id: `t${steps.length}`, availableAtMs: 0, estimatedCostUsd: 0 });
    }
    expect(steps.filter((kind) => kind === 'lease')).toHaveLength(1);
  });
});

describe('even pacing of a user-set rate (the controller with the rate as a fixed pace)', () => {
  it('spaces starts 60 s ÷ the rate apart (plus the late-start tolerance and the arrival margin), so no minute holds more than the rate', () => {
    let stored = learnedRateAfterStart(undefined, fixed60, nowMs);
    // (60 000 + 50 late-start tolerance + 750 arrival margin) ÷ 60 = 1 013.3 ms.
    expect(learnedNextStartAtMs(stored, fixed60, nowMs)).toBe(nowMs + 1_014);
    let atMs = nowMs;
    let starts = 1;
    for (;;) {
      atMs = learnedNextStartAtMs(stored, fixed60, atMs);
      if (atMs >= nowMs + 60_000) break;
      stored = learnedRateAfterStart(stored, fixed60, atMs);
      starts += 1;
    }
    expect(starts).toBe(60);
  });

  it('paces at the user\'s rate whatever was learned before under auto, and does not show it as learned', () => {
    let learned: StoredLearnedRate = learnedRateAfterStart(undefined, key1, nowMs);
    learned = learnedRateAfterRateLimited(learned, { nowMs: nowMs + 100, startedAtMs: nowMs, retryAfterMs: 30_000, quotaDimension: 'requests-per-minute' })!;
    expect(isShownAsLearned(learned.state)).toBe(true);
    // Under auto the retry delay holds every start; the user's fixed rate keeps its own hold rule instead.
    // (The schedule's next slot, 6 s after the auto start, is kept.)
    expect(isLearnedPaceOpen(learned, key1, nowMs + 6_000)).toBe(false);
    expect(isLearnedPaceOpen(learned, fixed60, nowMs + 6_000)).toBe(true);
    const paced = learnedRateAfterStart(learned, fixed60, nowMs + 6_000);
    expect(paced.state.dimensions).toEqual({});
    expect(isShownAsLearned(paced.state)).toBe(false);
    expect(learnedNextStartAtMs(paced, fixed60, nowMs + 6_000)).toBe(nowMs + 7_014);
  });

  it('is part of limit eligibility only when asked for: the RPM window alone would let the whole minute start at once', () => {
    const started = learnedRateAfterStart(undefined, fixed60, nowMs);
    const snapshot = { nowMs: nowMs + 500, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map([['gemini:m', 1]]), learnedRatesByLimitKey: new Map([['gemini:m', started]]) };
    expect([...decideLimitEligibility([fixed60], snapshot).eligible.keys()]).toEqual([]);
    expect([...decideLimitEligibility([{ ...fixed60, evenPacing: false }], snapshot).eligible.keys()]).toEqual(['gemini:m']);
    expect([...decideLimitEligibility([fixed60], { ...snapshot, nowMs: nowMs + 1_014 }).eligible.keys()]).toEqual(['gemini:m']);
  });

  it('lets one claim start one request of an evenly paced key, where the window alone starts ten', () => {
    const empty = () => ({ nowMs, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map() });
    expect(leasesOfOneClaim(new ClaimPlanner([fixed60], empty(), [runnableJob()], 10))).toBe(1);
    expect(leasesOfOneClaim(new ClaimPlanner([{ ...fixed60, evenPacing: false }], empty(), [runnableJob()], 10))).toBe(10);
  });
});
