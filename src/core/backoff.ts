/**
 * Exponential backoff with full jitter (Brooker, AWS Architecture Blog 2015): the delay is uniform
 * in [0, min(cap, base · 2^attempt)]. Jitter spreads retries of tasks that failed together, so a
 * provider outage does not end in a synchronized thundering herd.
 *
 * @param attempt 0 for the first retry.
 * @param random uniform in [0, 1); injected so tests are exact.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceilingMs = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceilingMs);
}
