/**
 * The requests-per-minute window. Requests are counted by when we start them, across every
 * process sharing the store.
 */

/** Length of the RPM window, ms. */
export const rateWindowMs = 60_000;

/**
 * Extra time a request start stays in the window, ms. The provider counts arrivals, which trail our
 * starts by a varying network delay; without a margin, a slow request followed by a fast one can
 * land as N+1 arrivals in the provider's window and earn a 429.
 */
export const rateWindowMarginMs = 750;

/** Starts strictly after this time (epoch ms) count in the window at `nowMs`; older ones may be pruned. */
export function rateWindowStartMs(nowMs: number): number {
  return nowMs - rateWindowMs - rateWindowMarginMs;
}

/** When a start made at `startedAtMs` has left the window, so its slot is free again (epoch ms). */
export function rateWindowSlotFreedAtMs(startedAtMs: number): number {
  return startedAtMs + rateWindowMs + rateWindowMarginMs + 1;
}

/** True when `startsInWindow` starts leave no room under `requestsPerMinute` (0 = unlimited). */
export function isRateWindowFull(startsInWindow: number, requestsPerMinute: number): boolean {
  return requestsPerMinute > 0 && startsInWindow >= requestsPerMinute;
}
