/**
 * Runs a wake-up at most once per interval: the first call at once, calls during the interval
 * folded into one at its end. Every commit of every process sharing a Postgres store is a signal;
 * with many workers, waking each one's claim loop per signal would turn a burst of completions
 * into a burst of claim transactions that find nothing new.
 */
export interface ThrottledCall {
  /** Asks for a call: now when none ran in the last interval, else once at the interval's end. */
  (): void;
  /** Drops a pending call (the owner is stopping). */
  cancel(): void;
}

export function throttledCall(call: () => void, intervalMs: number): ThrottledCall {
  let lastCallAtMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => {
    timer = undefined;
    lastCallAtMs = Date.now();
    call();
  };
  const request = (() => {
    if (timer !== undefined) return;
    const waitMs = lastCallAtMs + intervalMs - Date.now();
    if (waitMs <= 0) run();
    else timer = setTimeout(run, waitMs);
  }) as ThrottledCall;
  request.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return request;
}
