/**
 * What the engine learned of a limit key's rate (`…_RPM=auto`, issue 18), as the CLI's status and
 * progress lines show it: "rate 118/min, learned".
 */
import { learnedRateView } from '../engine/learned-rate/learned-rate.js';
import { isShownAsLearned } from '../engine/limits/learned-pacing.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface LearnedRateStatus {
  /** `discovering` until the first 429 named the requests quota, then `learned`. */
  phase: 'discovering' | 'learned';
  /** The shared pace now, requests per minute. */
  requestsPerMinute: number;
  /** The quota estimated at the last 429, requests per minute; undefined while discovering. */
  estimatedRequestsPerMinute: number | undefined;
}

/** The learned rate of `limitKey` (`provider:model`), or undefined when its rate is fixed or nothing ran yet. */
export async function learnedRateStatus(limitKey: string, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<LearnedRateStatus | undefined> {
  const state = (await dependencies.store.queue.providerStates()).find((candidate) => candidate.scopeKey === limitKey);
  // A user-set rate is paced by the same controller, but nothing is learned for it.
  if (!state?.learnedRateState || !isShownAsLearned(state.learnedRateState)) return undefined;
  const view = learnedRateView(state.learnedRateState, dependencies.clock.now());
  return { phase: view.phase, requestsPerMinute: view.ratesPerMinute['requests-per-minute'] ?? 0, estimatedRequestsPerMinute: view.estimatedPerMinute['requests-per-minute'] };
}

/** "rate 118/min, learned" (or "discovering"), for the CLI's lines. */
export function formatLearnedRate(status: LearnedRateStatus): string {
  return `rate ${Math.round(status.requestsPerMinute)}/min, ${status.phase}`;
}
