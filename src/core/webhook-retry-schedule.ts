/**
 * When a failed webhook delivery is tried again. The default follows the schedule Standard
 * Webhooks' reference service (Svix) publishes, trimmed to about a day: after the first attempt,
 * waits of 5 s, 5 min, 30 min, 2 h, 5 h, 8 h and 8 h (23 h 35 min in all, 8 attempts).
 */

/** Default waits after each failed attempt, in ms; its length is the number of retries. */
export const defaultWebhookRetryDelaysMs: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 28_800_000, 28_800_000];

/**
 * The time of the next attempt after `attemptsMade` failed attempts (1 after the first), or
 * undefined when the schedule is used up and the delivery should be given up. A jitter of up to
 * +10 % spreads the retries of deliveries that failed together (one receiver outage).
 *
 * @param random uniform in [0, 1); injected so tests are exact.
 */
export function nextWebhookAttemptAtMs(attemptsMade: number, nowMs: number, delaysMs: readonly number[], random: () => number): number | undefined {
  const delayMs = delaysMs[attemptsMade - 1];
  if (delayMs === undefined) return undefined;
  return nowMs + delayMs + Math.floor(delayMs * 0.1 * random());
}
