/**
 * An abortable wait that stands in for a remote provider's latency, so the engine's progress,
 * cancellation and time estimates can be exercised offline.
 */
import { ImagefleetError } from '../../core/errors.js';

/** Progress reports made while waiting (evenly spaced). */
const progressSteps = 4;

/**
 * Waits `durationMs`, calling `onProgress` with fractions from 0 up to `progressShare` on the way.
 * Rejects with a `canceled` error as soon as `signal` aborts, without waiting for the timer.
 */
export function simulateLatency(
  durationMs: number,
  signal: AbortSignal,
  onProgress: ((fraction: number) => void) | undefined,
  progressShare: number,
): Promise<void> {
  throwIfAborted(signal);
  if (durationMs <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let step = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      reject(canceledError(signal));
    };
    const tick = (): void => {
      onProgress?.((progressShare * step) / progressSteps);
      if (step === progressSteps) {
        signal.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      step += 1;
      timer = setTimeout(tick, durationMs / progressSteps);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/** Throws the `canceled` error when the signal has already aborted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw canceledError(signal);
}

function canceledError(signal: AbortSignal): ImagefleetError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new ImagefleetError('canceled', `Local generation canceled: ${detail}`, { cause: reason });
}
