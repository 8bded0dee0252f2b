import { describe, expect, it } from 'vitest';
import { estimateRequestUsage, genericInputTokenEstimate, imageInputTokens, type RequestUsageFacts } from '../../../src/core/request-usage-estimate.js';
import type { RequestUsage } from '../../../src/engine/learned-rate/learned-rate.js';
import { isLearnedPaceOpen, learnedNextStartAtMs, learnedRateAfterRateLimited, learnedRateAfterStart, learnedRateAfterSuccess, requestUsageUnder, type StoredLearnedRate } from '../../../src/engine/limits/learned-pacing.js';
import { ClaimPlanner, type ClaimStep, type RunnableJob } from '../../../src/engine/scheduling/claim-planner.js';
import type { ProviderLimitPolicy } from '../../../src/engine/ports.js';
import { geminiInputTokenEstimate } from '../../../src/providers/gemini/input-token-estimate.js';

const startMs = 1_800_000_000_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'gemini:m', providerId: 'gemini', requestsPerMinute: 0, maxConcurrency: 100, cooldownMs: 0, credentialFingerprint: 'key-1', learnedRate: true, inputTokenEstimate: geminiInputTokenEstimate, ...overrides };
}
const learned = policy();

/** One call a second for a minute on a manual clock, each asking `usage` and succeeding; the last one refused by a 429 naming `dimension`. */
function minuteEndingInRefusal(usage: RequestUsage, dimension: 'images-per-minute' | 'input-tokens-per-minute'): { stored: StoredLearnedRate; nowMs: number } {
  let stored: StoredLearnedRate | undefined;
  for (let second = 0; second < 60; second += 1) {
    const atMs = startMs + second * 1000;
    stored = learnedRateAfterStart(stored, learned, atMs, usage);
    if (second < 59) stored = learnedRateAfterSuccess(stored, atMs + 500);
  }
  const nowMs = startMs + 59_500;
  const refused = learnedRateAfterRateLimited(stored, { nowMs, startedAtMs: startMs + 59_000, retryAfterMs: undefined, quotaDimension: dimension, usage });
  return { stored: refused!, nowMs };
}

/**
 * The gap a start asking `usage` leaves before the next, ms: measured on a start made exactly at its
 * slot (a start later than its slot restarts the schedule from itself minus the late-start tolerance).
 */
function gapAfterStartMs(stored: StoredLearnedRate, atMs: number, usage: RequestUsage): number {
  const primed = learnedRateAfterStart(stored, learned, atMs, { images: 1, inputTokens: 0 });
  const onSlotMs = learnedNextStartAtMs(primed, learned, atMs);
  return learnedNextStartAtMs(learnedRateAfterStart(primed, learned, onSlotMs, usage), learned, onSlotMs) - onSlotMs;
}

function job(): RunnableJob {
  return { id: 'j', providerKey: 'gemini:m', lane: 'online', execution: 'parallel', status: 'queued', budgetUsd: undefined, spentUsd: 0, runningCount: 0, inFlightUsd: 0, priorityRank: 0, queuePosition: 0, lastClaimedAtMs: 0, createdAtMs: 0 };
}

describe('what one call asks of the provider', () => {
  it('counts the batch size as images and estimates tokens from the prompt and the references (Gemini: 258 a 768 px tile, one tile up to 384 px)', () => {
    const facts: RequestUsageFacts = { imageCount: 4, promptCharacters: 401, referenceSizesPx: [{ widthPx: 384, heightPx: 300 }, { widthPx: 1024, heightPx: 1024 }, { widthPx: 1536, heightPx: 700 }] };
    // 401 characters → 101 tokens; 1 + 4 + 2 tiles of 258.
    expect(estimateRequestUsage(facts, geminiInputTokenEstimate)).toEqual({ images: 4, inputTokens: 101 + 7 * 258 });
    expect(imageInputTokens({ widthPx: 385, heightPx: 100 }, geminiInputTokenEstimate)).toBe(258);
    expect(imageInputTokens({ widthPx: 769, heightPx: 100 }, geminiInputTokenEstimate)).toBe(516);
  });

  it('falls back to the generic estimate (a flat 258 per image) for a provider that states none', () => {
    const facts: RequestUsageFacts = { imageCount: 0, promptCharacters: 8, referenceSizesPx: [{ widthPx: 4096, heightPx: 4096 }] };
    expect(estimateRequestUsage(facts)).toEqual({ images: 1, inputTokens: 2 + 258 });
    expect(requestUsageUnder(policy({ inputTokenEstimate: undefined }), facts)).toEqual(estimateRequestUsage(facts, genericInputTokenEstimate));
  });

  it('is charged only to a learned key', () => {
    const facts: RequestUsageFacts = { imageCount: 2, promptCharacters: 4, referenceSizesPx: [] };
    expect(requestUsageUnder(learned, facts)).toEqual({ images: 2, inputTokens: 1 });
    expect(requestUsageUnder(policy({ learnedRate: false, requestsPerMinute: 60, evenPacing: true }), facts)).toBeUndefined();
    expect(requestUsageUnder(learned, undefined)).toBeUndefined();
  });
});

describe('a learned pace charges each start what it asks for', () => {
  it('spaces 4-image calls 4× as far apart as 1-image calls once images per minute is learned', () => {
    const { stored, nowMs } = minuteEndingInRefusal({ images: 1, inputTokens: 100 }, 'images-per-minute');
    expect(stored.state.dimensions['images-per-minute']?.estimatedPerMinute).toBeGreaterThan(50);
    expect(stored.state.dimensions['requests-per-minute']).toBeUndefined();
    const atMs = nowMs + 10_000;
    const oneImageGapMs = gapAfterStartMs(stored, atMs, { images: 1, inputTokens: 100 });
    const fourImageGapMs = gapAfterStartMs(stored, atMs, { images: 4, inputTokens: 100 });
    // The images pace (~57/min) binds over the requests' slow start (~120/min): about 1.05 s a 1-image call.
    expect(oneImageGapMs).toBeGreaterThan(1000);
    expect(Math.abs(fourImageGapMs - 4 * oneImageGapMs)).toBeLessThanOrEqual(4);
    // The eligibility check reads the schedule the start wrote: still closed after two 1-image gaps.
    const afterFour = learnedRateAfterStart(stored, learned, atMs, { images: 4, inputTokens: 100 });
    expect(isLearnedPaceOpen(afterFour, learned, atMs + 2 * oneImageGapMs)).toBe(false);
    expect(isLearnedPaceOpen(learnedRateAfterStart(stored, learned, atMs, { images: 1, inputTokens: 100 }), learned, atMs + 2 * oneImageGapMs)).toBe(true);
  });

  it('learns input tokens per minute from the tokens the started calls carried, and spaces a large-reference call by its tokens', () => {
    const { stored, nowMs } = minuteEndingInRefusal({ images: 1, inputTokens: 2_000 }, 'input-tokens-per-minute');
    // The provider took 59 calls of 2,000 tokens (the refused one is taken off), scaled to a full minute.
    const estimate = stored.state.dimensions['input-tokens-per-minute']?.estimatedPerMinute ?? 0;
    expect(estimate).toBeGreaterThan(100_000);
    expect(estimate).toBeLessThanOrEqual(120_000);
    expect(stored.state.dimensions['images-per-minute']).toBeUndefined();
    const atMs = nowMs + 10_000;
    const smallGapMs = gapAfterStartMs(stored, atMs, { images: 1, inputTokens: 2_000 });
    const largeGapMs = gapAfterStartMs(stored, atMs, { images: 1, inputTokens: 20_000 });
    expect(Math.abs(largeGapMs - 10 * smallGapMs)).toBeLessThanOrEqual(10);
  });
});

describe('the claim planner asks the pace about the head task', () => {
  function firstSteps(limitPolicy: ProviderLimitPolicy, facts: RequestUsageFacts, stored?: StoredLearnedRate, nowMs = startMs): ClaimStep[] {
    const learnedRates = new Map(stored === undefined ? [] : [['gemini:m', stored] as const]);
    const planner = new ClaimPlanner([limitPolicy], { nowMs, states: new Map(), runningByLimitKey: new Map(), startsInWindowByLimitKey: new Map(), learnedRatesByLimitKey: learnedRates }, [job()], 10);
    const steps: ClaimStep[] = [];
    for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
      steps.push(step);
      if (step.kind === 'read-head') planner.provideHead(step.jobId, { id: `t${steps.length}`, availableAtMs: 0, estimatedCostUsd: 0, ...(step.withUsage ? { usageFacts: facts } : {}) });
    }
    return steps;
  }

  it('reads the usage facts for a learned key and leases with the usage the provider counts', () => {
    const facts: RequestUsageFacts = { imageCount: 4, promptCharacters: 40, referenceSizesPx: [{ widthPx: 1024, heightPx: 1024 }] };
    const steps = firstSteps(learned, facts);
    expect(steps[0]).toMatchObject({ kind: 'read-head', withUsage: true });
    expect(steps.find((step) => step.kind === 'lease')).toMatchObject({ usage: { images: 4, inputTokens: 10 + 4 * 258 } });
  });

  it('reads no usage facts for a user-set rate (its pace counts requests only)', () => {
    const steps = firstSteps(policy({ learnedRate: false, requestsPerMinute: 60, evenPacing: true }), { imageCount: 4, promptCharacters: 40, referenceSizesPx: [] });
    expect(steps[0]).toMatchObject({ kind: 'read-head', withUsage: false });
    expect(steps.find((step) => step.kind === 'lease')).toMatchObject({ usage: undefined });
  });
});
