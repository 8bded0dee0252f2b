import type { ProviderLimitPolicy } from '../ports/task-queue.js';
import { effectiveConcurrency } from './adaptive-concurrency.js';
import { isLearnedPaceOpen, usesPace, type StoredLearnedRate } from './learned-pacing.js';
import type { LimitState } from './limit-state.js';
import { decidePause, type PauseLift } from './pause-lift.js';
import { isRateWindowFull } from './rate-window.js';

/** What the limit rules need to know about the store right now. */
export interface LimitSnapshot {
  nowMs: number;
  /** Stored state by scope key (provider ids and limit key texts); a missing key has no state. */
  states: ReadonlyMap<string, LimitState>;
  /** Running tasks counted against each limit key. */
  runningByLimitKey: ReadonlyMap<string, number>;
  /**
   * Request starts inside the RPM window (see `rate-window.ts`) per limit key. Only keys with a
   * requests-per-minute limit need an entry; a missing entry counts as 0.
   */
  startsInWindowByLimitKey: ReadonlyMap<string, number>;
  /**
   * Learned-rate states by limit key (keys whose rate is `auto`); a missing entry is a key with
   * nothing learned yet. Absent: no key uses a learned rate.
   */
  learnedRatesByLimitKey?: ReadonlyMap<string, StoredLearnedRate> | undefined;
}

/** Which limit keys may start a request now, and the pauses that lifted on the way. */
export interface LimitEligibility {
  /** Policies that may start a request now, by limit key. */
  eligible: Map<string, ProviderLimitPolicy>;
  /** Pauses to clear (each with a `provider.resumed` event), in the order they lifted, each scope once. */
  lifts: PauseLift[];
}

/**
 * The limit rules of a claim, per policy: the provider-wide pause, then the model's pause (each
 * lifts by time or changed credentials), the hold (`nextRequestAtMs`: 429 or cool-down), adaptive
 * concurrency against the running count, and the RPM window with its margin — or, for a key whose
 * rate is learned, the learned pace (its next slot and any announced retry delay).
 */
export function decideLimitEligibility(policies: readonly ProviderLimitPolicy[], snapshot: LimitSnapshot): LimitEligibility {
  const eligible = new Map<string, ProviderLimitPolicy>();
  const lifts: PauseLift[] = [];
  const lifted = new Set<string>();
  const stateOf = (scopeKey: string): LimitState | undefined => (lifted.has(scopeKey) ? undefined : snapshot.states.get(scopeKey));
  const open = (scopeKey: string, policy: ProviderLimitPolicy): boolean => {
    const decision = decidePause(stateOf(scopeKey), policy.credentialFingerprint, snapshot.nowMs);
    if (decision.blocked) return false;
    if (decision.lift) {
      // Lifted once per evaluation: the write clears the pause for every model of the scope.
      lifted.add(scopeKey);
      lifts.push(decision.lift);
    }
    return true;
  };

  for (const policy of policies) {
    if (!open(policy.providerId, policy)) continue;
    if (!open(policy.providerKey, policy)) continue;
    const modelState = snapshot.states.get(policy.providerKey);
    if (modelState && modelState.nextRequestAtMs > snapshot.nowMs) continue;
    const running = snapshot.runningByLimitKey.get(policy.providerKey) ?? 0;
    if (running >= effectiveConcurrency(policy.maxConcurrency, modelState?.concurrencyLimit)) continue;
    if (isRateWindowFull(snapshot.startsInWindowByLimitKey.get(policy.providerKey) ?? 0, policy.requestsPerMinute)) continue;
    if (usesPace(policy) && !isLearnedPaceOpen(snapshot.learnedRatesByLimitKey?.get(policy.providerKey), policy, snapshot.nowMs)) continue;
    eligible.set(policy.providerKey, policy);
  }
  return { eligible, lifts };
}
