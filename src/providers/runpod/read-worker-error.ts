/**
 * The `error` of a `FAILED` RunPod job as an engine error. imagefleet's worker sends JSON text
 * `{ imagefleetError: { kind, message, retryAfterMs } }`, so a blocked prompt stays blocked and a
 * bad request stays failed; the Python SDK's own JSON (an uncaught exception) and plain text count
 * as transient.
 */
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';
import { workerJobErrorSchema } from './worker-protocol.js';

/** How long a model stays paused when the worker reports its own provider paused (bad key, daily quota on the worker). */
export const workerPauseMs = 10 * 60_000;

export function readWorkerError(error: unknown): ImagefleetError {
  const text = typeof error === 'string' ? error : error === undefined ? '' : JSON.stringify(error);
  let parsed: unknown;
  try {
    parsed = typeof error === 'string' ? JSON.parse(error) : error;
  } catch {
    parsed = undefined;
  }
  const reported = workerJobErrorSchema.safeParse(parsed);
  if (reported.success) {
    const { kind, message, retryAfterMs } = reported.data.imagefleetError;
    const prefixed = `Worker: ${message}`;
    // The worker's own credentials are not the app's: pausing "until the key changes" would never lift.
    if (kind === 'paused') return providerError('paused', prefixed, { retryAfterMs: retryAfterMs ?? workerPauseMs });
    return providerError(kind, prefixed, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  const sdkMessage = (parsed as { error_message?: unknown; error_type?: unknown } | undefined)?.error_message;
  if (typeof sdkMessage === 'string') return providerError('transient', `The RunPod worker failed: ${sdkMessage.slice(0, 500)}`);
  return providerError('transient', `The RunPod job failed${text.length > 0 ? `: ${text.slice(0, 500)}` : ' without saying why'}.`);
}
