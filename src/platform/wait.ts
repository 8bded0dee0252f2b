/**
 * Waits `ms` milliseconds, or less when `signal` aborts; never rejects (callers check the signal
 * afterwards). The real clock sleeps with it, and providers use it directly (they never import src/engine).
 */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
