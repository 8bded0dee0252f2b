import { describe, expect, it } from 'vitest';
import { decideLimitEligibility, type LimitSnapshot } from '../../../src/engine/limits/limit-eligibility.js';
import type { LimitState } from '../../../src/engine/limits/limit-state.js';
import type { ProviderLimitPolicy } from '../../../src/engine/ports.js';

const nowMs = 1_000_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'gemini:imagen', providerId: 'gemini', requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0, credentialFingerprint: 'key-1', ...overrides };
}

function state(scopeKey: string, overrides: Partial<LimitState> = {}): LimitState {
  return { scopeKey, pausedReason: undefined, pausedUntilMs: undefined, pausedCredentialFingerprint: undefined, nextRequestAtMs: 0, concurrencyLimit: undefined, ...overrides };
}

function snapshot(overrides: Partial<Omit<LimitSnapshot, 'states'>> & { states?: LimitState[] } = {}): LimitSnapshot {
  return {
    nowMs,
    runningByLimitKey: new Map(),
    startsInWindowByLimitKey: new Map(),
    ...overrides,
    states: new Map((overrides.states ?? []).map((entry) => [entry.scopeKey, entry])),
  };
}

function eligibleKeys(policies: ProviderLimitPolicy[], input: LimitSnapshot): string[] {
  return [...decideLimitEligibility(policies, input).eligible.keys()];
}

describe('limit eligibility', () => {
  it('lets a key without state start', () => {
    expect(eligibleKeys([policy()], snapshot())).toEqual(['gemini:imagen']);
  });

  it('holds a key until its hold (429 or cool-down) ends', () => {
    expect(eligibleKeys([policy()], snapshot({ states: [state('gemini:imagen', { nextRequestAtMs: nowMs + 1 })] }))).toEqual([]);
    expect(eligibleKeys([policy()], snapshot({ states: [state('gemini:imagen', { nextRequestAtMs: nowMs })] }))).toEqual(['gemini:imagen']);
  });

  it('caps running calls at the learned limit within the configured cap', () => {
    const running = new Map([['gemini:imagen', 2]]);
    expect(eligibleKeys([policy()], snapshot({ runningByLimitKey: running }))).toEqual(['gemini:imagen']);
    expect(eligibleKeys([policy()], snapshot({ runningByLimitKey: running, states: [state('gemini:imagen', { concurrencyLimit: 2.9 })] }))).toEqual([]);
    expect(eligibleKeys([policy({ maxConcurrency: 2 })], snapshot({ runningByLimitKey: running }))).toEqual([]);
  });

  it('refuses a key whose RPM window is full', () => {
    const limited = policy({ requestsPerMinute: 3 });
    expect(eligibleKeys([limited], snapshot({ startsInWindowByLimitKey: new Map([['gemini:imagen', 2]]) }))).toEqual(['gemini:imagen']);
    expect(eligibleKeys([limited], snapshot({ startsInWindowByLimitKey: new Map([['gemini:imagen', 3]]) }))).toEqual([]);
  });

  it('keeps a paused key closed until the pause lifts by time or by changed credentials', () => {
    const timed = state('gemini:imagen', { pausedReason: 'daily quota', pausedUntilMs: nowMs + 1 });
    expect(decideLimitEligibility([policy()], snapshot({ states: [timed] }))).toEqual({ eligible: new Map(), lifts: [] });
    const ended = decideLimitEligibility([policy()], snapshot({ states: [{ ...timed, pausedUntilMs: nowMs }] }));
    expect([...ended.eligible.keys()]).toEqual(['gemini:imagen']);
    expect(ended.lifts).toEqual([{ scopeKey: 'gemini:imagen', reason: 'pause period ended' }]);

    const badKey = state('gemini', { pausedReason: 'key refused', pausedCredentialFingerprint: 'key-1' });
    expect(eligibleKeys([policy()], snapshot({ states: [badKey] }))).toEqual([]);
    const changed = decideLimitEligibility([policy({ credentialFingerprint: 'key-2' })], snapshot({ states: [badKey] }));
    expect(changed.lifts).toEqual([{ scopeKey: 'gemini', reason: 'credentials changed' }]);
  });

  it('lifts a provider-wide pause once for all the models of the provider', () => {
    const models = [policy(), policy({ providerKey: 'gemini:flash' })];
    const decision = decideLimitEligibility(models, snapshot({ states: [state('gemini', { pausedReason: 'key refused', pausedCredentialFingerprint: 'old' })] }));
    expect([...decision.eligible.keys()]).toEqual(['gemini:imagen', 'gemini:flash']);
    expect(decision.lifts).toEqual([{ scopeKey: 'gemini', reason: 'credentials changed' }]);
  });

  it('does not look at (or lift) a model pause while the whole provider is still paused', () => {
    const decision = decideLimitEligibility(
      [policy()],
      snapshot({
        states: [state('gemini', { pausedReason: 'key refused', pausedCredentialFingerprint: 'key-1' }), state('gemini:imagen', { pausedReason: 'quota', pausedUntilMs: nowMs - 1 })],
      }),
    );
    expect(decision).toEqual({ eligible: new Map(), lifts: [] });
  });

  it('keeps lanes apart: a batch key has its own hold', () => {
    const batch = policy({ providerKey: 'gemini:imagen@batch', lane: 'batch', jobProviderKey: 'gemini:imagen' });
    expect(eligibleKeys([policy(), batch], snapshot({ states: [state('gemini:imagen', { nextRequestAtMs: nowMs + 5_000 })] }))).toEqual(['gemini:imagen@batch']);
  });
});
