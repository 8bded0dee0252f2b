/**
 * RunPod's HTTP errors onto the engine's failure classes (DESIGN §5.4). Documented statuses: 400
 * bad request, 401 bad key, 404 unknown endpoint (or, for a status call, an expired job), 429
 * over the rate limit, 5xx worker or platform trouble.
 */
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';

/** Which call failed; a 404 means different things for each. */
export type RunpodOperation = 'run' | 'status' | 'cancel';

/** Wait after a 429 without a Retry-After header, ms (the Python SDK also waits 5 s). */
export const defaultRateLimitWaitMs = 5_000;

export function mapRunpodHttpError(status: number, bodyText: string, retryAfterHeader: string | null, operation: RunpodOperation, endpointId: string): ImagefleetError {
  const detail = describeBody(bodyText);
  if (status === 401 || status === 403) {
    return providerError('paused', `RunPod refused the API key (HTTP ${status}): check RUNPOD_API_KEY.${detail}`);
  }
  if (status === 404 && operation === 'run') {
    return providerError('paused', `RunPod has no endpoint "${endpointId}" for this key (HTTP 404): check RUNPOD_ENDPOINT_ID.${detail}`);
  }
  if (status === 404) {
    return providerError('transient', `RunPod no longer has this job (HTTP 404): its TTL or the 30-minute result retention has passed.${detail}`);
  }
  if (status === 429) {
    return providerError('rate_limited', `RunPod rate limit reached on /${operation} (HTTP 429).${detail}`, { retryAfterMs: parseRetryAfterMs(retryAfterHeader) ?? defaultRateLimitWaitMs });
  }
  if (status === 413) {
    return providerError('invalid', `RunPod refused the request as too large (HTTP 413; /run takes at most 10 MB).${detail}`);
  }
  if (status === 408 || status >= 500) {
    return providerError('transient', `RunPod answered HTTP ${status} on /${operation}.${detail}`);
  }
  return providerError('invalid', `RunPod refused the request (HTTP ${status} on /${operation}).${detail}`);
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now. */
function parseRetryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const dateMs = Date.parse(header);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - Date.now());
}

/** The error text RunPod sent, shortened; JSON bodies usually say `{ "error": "…" }`. */
function describeBody(bodyText: string): string {
  const text = bodyText.trim();
  if (text.length === 0) return '';
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const field = parsed.error ?? parsed.message;
    if (typeof field === 'string') message = field;
  } catch {
    // Not JSON: quote the text as it is.
  }
  return ` RunPod said: ${message.slice(0, 300)}`;
}
