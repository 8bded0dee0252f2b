import { fullJitterDelayMs } from '../core/backoff.js';
import type { ImagefleetError } from '../core/errors.js';
import type { QuotaDimension } from '../core/quota-failure.js';
import type { TaskSetback } from './ports.js';

/** What the engine does about one failed attempt (DESIGN §5.4). */
export type FailureDecision =
  | {
      action: 'setback';
      setback: TaskSetback;
      /** A 429: hold the key until then (fixed rates). */
      rateLimitUntilMs?: number | undefined;
      /** A 429: what the provider said, for a learned rate (the delay it announced, the quota it named). */
      rateLimit?: { retryAfterMs: number | undefined; quotaDimension: QuotaDimension | undefined } | undefined;
    }
  /** The provider cannot serve anything now: pause it (whole provider or one model) and give the task back. */
  | { action: 'pause-provider'; scope: 'provider' | 'model'; untilMs: number | undefined; reason: string };

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
}

/**
 * The one place that maps an error code to the engine's failure classes:
 * rate limited → wait the server's delay, no attempt used; transient → backoff with full jitter,
 * bounded attempts; blocked → ends `blocked`; invalid → ends `failed`; paused → pause the provider.
 *
 * @param attemptsSoFar attempts already counted for this task before this one.
 */
export function classifyFailure(error: ImagefleetError, attemptsSoFar: number, nowMs: number, policy: RetryPolicy): FailureDecision {
  const backoffMs = (): number => Math.max(1, fullJitterDelayMs(attemptsSoFar, policy.retryBaseMs, policy.retryMaxMs, policy.random));
  switch (error.code) {
    case 'provider_rate_limited': {
      // Wait at least the server's delay (RetryInfo / Retry-After); without one, back off.
      const untilMs = nowMs + (error.retryAfterMs ?? backoffMs());
      return {
        action: 'setback',
        setback: { kind: 'retry', availableAtMs: untilMs, countsAsAttempt: false, errorCode: error.code, message: error.message },
        rateLimitUntilMs: untilMs,
        rateLimit: { retryAfterMs: error.retryAfterMs, quotaDimension: error.quotaDimension },
      };
    }
    case 'provider_paused':
      return {
        action: 'pause-provider',
        // A delay means "until the quota resets" (one model); none means "until the credentials change".
        scope: error.retryAfterMs === undefined ? 'provider' : 'model',
        untilMs: error.retryAfterMs === undefined ? undefined : nowMs + error.retryAfterMs,
        reason: error.message,
      };
    case 'provider_blocked':
      return { action: 'setback', setback: { kind: 'end', status: 'blocked', errorCode: error.code, message: error.message } };
    case 'provider_invalid':
    case 'invalid_input':
    case 'not_found':
      return { action: 'setback', setback: { kind: 'end', status: 'failed', errorCode: error.code, message: error.message } };
    default: {
      const attempts = attemptsSoFar + 1;
      if (attempts >= policy.maxAttempts) {
        return {
          action: 'setback',
          setback: { kind: 'end', status: 'failed', errorCode: error.code, message: `Gave up after ${attempts} attempts. Last error: ${error.message}` },
        };
      }
      return {
        action: 'setback',
        setback: { kind: 'retry', availableAtMs: nowMs + backoffMs(), countsAsAttempt: true, errorCode: error.code, message: error.message },
      };
    }
  }
}
