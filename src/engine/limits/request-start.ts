import type { ProviderLimitPolicy } from '../ports/task-queue.js';
import { rateWindowStartMs } from './rate-window.js';

/** What starting one request under a policy writes. */
export interface RequestStartEffects {
  /** The limit key the start counts against. */
  limitKey: string;
  /** Cool-down: no next start before this (epoch ms); undefined = no cool-down. */
  holdUntilMs: number | undefined;
  /** Whether to log the start for the RPM window (only keys with a requests-per-minute limit). */
  logStart: boolean;
  /** Logged starts at or before this time have left the window and may be deleted. */
  pruneAtOrBeforeMs: number;
}

/** The cool-down and the RPM window count every request start under `policy`. */
export function requestStartEffects(policy: ProviderLimitPolicy, nowMs: number): RequestStartEffects {
  return {
    limitKey: policy.providerKey,
    holdUntilMs: policy.cooldownMs > 0 ? nowMs + policy.cooldownMs : undefined,
    logStart: policy.requestsPerMinute > 0,
    pruneAtOrBeforeMs: rateWindowStartMs(nowMs),
  };
}
