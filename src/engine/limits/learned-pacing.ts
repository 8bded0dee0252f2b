/**
 * The learned-rate controller (engine/learned-rate, decision 0038) as the claim's limit rules use
 * it, for a key whose requests per minute is `auto` (issue 18, decision 0040). The store keeps one
 * `LearnedRateState` per limit key with the credential fingerprint it was learned under, reads it
 * into the claim snapshot and writes back what these functions return, in the same transaction as
 * the claim or the attempt outcome; the adapter holds no rule. A user-set rate (`evenPacing`) runs on
 * the same schedule with that rate as a fixed pace and nothing learned, so it is spread evenly too.
 */
import type { QuotaDimension } from '../../core/quota-failure.js';
import { estimateRequestUsage, type RequestUsageFacts } from '../../core/request-usage-estimate.js';
import { createLearnedRate, defaultLearnedRateSettings, nextStartAtMs, onRateLimited, onRequestStarted, onRequestSucceeded, withSettings, type LearnedRateState, type RequestUsage } from '../learned-rate/learned-rate.js';
import type { ProviderLimitPolicy, ProviderLimits, ProviderStateView } from '../ports/task-queue.js';
import { rateWindowMarginMs } from './rate-window.js';

/** A learned state as stored: the controller state and the credentials it was learned with. */
export interface StoredLearnedRate {
  /** Fingerprint of the credentials the state was learned under; undefined when the provider has none. */
  credentialFingerprint: string | undefined;
  state: LearnedRateState;
}

/** What a key's pace depends on: its credentials, whether its rate is learned, and the user's fixed rate. */
export type PacedPolicy = Pick<ProviderLimitPolicy, 'credentialFingerprint' | 'learnedRate' | 'requestsPerMinute' | 'evenPacing'>;

/** True when the policy's rate is learned (`…_RPM=auto`) rather than a user-set window. */
export function usesLearnedRate(policy: Pick<ProviderLimitPolicy, 'learnedRate'>): boolean {
  return policy.learnedRate === true;
}

/**
 * True when the policy's starts follow the shared pace: a learned rate, or a user-set rate spread
 * evenly over the minute (`evenPacing`), so neither bursts at the top of a minute.
 */
export function usesPace(policy: Pick<ProviderLimitPolicy, 'learnedRate' | 'requestsPerMinute' | 'evenPacing'>): boolean {
  return usesLearnedRate(policy) || fixedPaceOf(policy) !== undefined;
}

/** The user's rate as a fixed pace, requests per minute; undefined for a learned or unpaced key. */
function fixedPaceOf(policy: Pick<ProviderLimitPolicy, 'learnedRate' | 'requestsPerMinute' | 'evenPacing'>): number | undefined {
  return !usesLearnedRate(policy) && policy.evenPacing === true && policy.requestsPerMinute > 0 ? policy.requestsPerMinute : undefined;
}

/**
 * The state the policy paces on: the stored one, unless it was learned under other credentials
 * (another key is another quota), in which case the key starts over. A user-set rate is the
 * controller with that rate as its start and ceiling and nothing learned: an even pace at exactly
 * the user's rate (the RPM window stays the exact bound; a 429 there keeps its hold and halving).
 */
export function learnedStateFor(stored: StoredLearnedRate | undefined, policy: PacedPolicy): LearnedRateState {
  const state = stored && stored.credentialFingerprint === policy.credentialFingerprint ? stored.state : createLearnedRate();
  const fixed = fixedPaceOf(policy);
  if (fixed === undefined) {
    return withSettings(state, { ceilingRequestsPerMinute: undefined, initialRequestsPerMinute: defaultLearnedRateSettings.initialRequestsPerMinute, ceilingArrivalMarginMs: undefined });
  }
  // Spaced so a minute's worth spans 60 s plus the window's arrival margin: starts at exactly the
  // quota land as one too many in a short provider window whenever arrival delays vary.
  const settings = { ceilingRequestsPerMinute: fixed, initialRequestsPerMinute: fixed, ceilingArrivalMarginMs: rateWindowMarginMs };
  return { ...withSettings(state, settings), dimensions: {}, pausedUntilMs: 0 };
}

/** Whether the pace lets a request start now (even pacing, announced retry delays). */
export function isLearnedPaceOpen(stored: StoredLearnedRate | undefined, policy: PacedPolicy, nowMs: number): boolean {
  return learnedNextStartAtMs(stored, policy, nowMs) <= nowMs;
}

/** The earliest the pace lets the next request start, epoch ms (never before `nowMs`). */
export function learnedNextStartAtMs(stored: StoredLearnedRate | undefined, policy: PacedPolicy, nowMs: number): number {
  return nextStartAtMs(learnedStateFor(stored, policy), nowMs);
}

/**
 * What a request start under the policy writes: the schedule advances by the spacing this request
 * takes — `usage` (its images and estimated input tokens, `requestUsageUnder`) under every learned
 * dimension, so a 4-image call leaves 4× the gap of a 1-image one under an images-per-minute pace.
 * Absent usage counts as the mean request of the last minute.
 */
export function learnedRateAfterStart(stored: StoredLearnedRate | undefined, policy: PacedPolicy, nowMs: number, usage?: RequestUsage): StoredLearnedRate {
  return { credentialFingerprint: policy.credentialFingerprint, state: onRequestStarted(learnedStateFor(stored, policy), nowMs, usage) };
}

/**
 * What one attempt of a task asks of a learned key's quotas: its images and its input tokens
 * estimated the way the policy's provider counts them (core/request-usage-estimate.ts). Undefined
 * for a key whose rate is not learned (its pace counts requests only) or when the facts are unknown.
 */
export function requestUsageUnder(policy: Pick<ProviderLimitPolicy, 'learnedRate' | 'inputTokenEstimate'>, facts: RequestUsageFacts | undefined): RequestUsage | undefined {
  if (!usesLearnedRate(policy) || facts === undefined) return undefined;
  return estimateRequestUsage(facts, policy.inputTokenEstimate);
}

/** True when a stored state is a learned one to show (not the even pace of a user-set rate). */
export function isShownAsLearned(state: LearnedRateState): boolean {
  return state.settings.ceilingRequestsPerMinute === undefined;
}

/** What a success writes; a key with no learned state (a user-set rate) writes nothing. */
export function learnedRateAfterSuccess(stored: StoredLearnedRate | undefined, nowMs: number): StoredLearnedRate | undefined {
  return stored && { ...stored, state: onRequestSucceeded(stored.state, nowMs) };
}

/** What the 429 said, as the outcome carries it to the store. */
export interface LearnedRateLimitEvent {
  nowMs: number;
  /** When the refused request started, epoch ms (an old flight does not cut twice). */
  startedAtMs: number | undefined;
  /** RetryInfo delay, ms; undefined when the provider announced none. */
  retryAfterMs: number | undefined;
  /** The quota the 429 named (QuotaFailure `quotaId`); undefined = requests per minute. */
  quotaDimension: QuotaDimension | undefined;
  /** What the refused request asked for, as its start charged it; undefined = the mean request. */
  usage?: RequestUsage | undefined;
}

/** What a 429 writes: the controller's estimate and cut, and the announced retry delay. */
export function learnedRateAfterRateLimited(stored: StoredLearnedRate | undefined, event: LearnedRateLimitEvent): StoredLearnedRate | undefined {
  if (!stored) return undefined;
  const state = onRateLimited(stored.state, {
    nowMs: event.nowMs,
    ...(event.startedAtMs === undefined ? {} : { startedAtMs: event.startedAtMs }),
    ...(event.retryAfterMs === undefined ? {} : { retryAfterMs: event.retryAfterMs }),
    ...(event.quotaDimension === undefined ? {} : { quotaDimension: event.quotaDimension }),
    ...(event.usage === undefined ? {} : { usage: event.usage }),
  });
  return { ...stored, state };
}

/**
 * The provider-state views with each stored learned state attached (a key with a learned state
 * and no provider-state row gets a view of its own), sorted by scope key.
 */
export function withLearnedRateStates(views: readonly ProviderStateView[], learned: ReadonlyMap<string, StoredLearnedRate>): ProviderStateView[] {
  const byScope = new Map(views.map((view) => [view.scopeKey, { ...view }]));
  for (const [limitKey, stored] of learned) {
    const existing = byScope.get(limitKey);
    if (existing) existing.learnedRateState = stored.state;
    else byScope.set(limitKey, { scopeKey: limitKey, pausedReason: undefined, pausedUntilMs: undefined, nextRequestAtMs: 0, concurrencyLimit: undefined, learnedRateState: stored.state });
  }
  return [...byScope.values()].sort((left, right) => (left.scopeKey < right.scopeKey ? -1 : left.scopeKey > right.scopeKey ? 1 : 0));
}

/** For a plan's time estimate: the rate a learned key starts from, requests per minute; undefined for a fixed rate. */
export function learnedRateStartsAtPerMinute(limits: Pick<ProviderLimits, 'learnedRate'>): number | undefined {
  return limits.learnedRate === true ? defaultLearnedRateSettings.initialRequestsPerMinute : undefined;
}
