/**
 * Maps what a Gemini call throws onto the engine's failure classes (DESIGN §5.4): the SDK's
 * `ApiError` (HTTP status + Google's JSON body), aborts, timeouts and network failures. Every
 * message is redacted of the API key before it leaves.
 */
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import { parseQuotaFailure } from '../../core/quota-failure.js';
import { providerError } from '../contract.js';
import { redactApiKey } from './api-key.js';
import { isDailyQuota, parseGoogleErrorBody } from './google-error-body.js';
import { msUntilPacificMidnight } from './pacific-midnight.js';

export interface GeminiErrorContext {
  apiKey: string;
  /** What was being done, completing "Gemini … while <action>", e.g. "generating with nano-banana-pro (gemini-3-pro-image)". */
  action: string;
  /** Whether a 404 means the model is unknown (generate, batch create) or another resource (file, batch) is gone. */
  notFoundMeans: 'model' | 'resource';
  /** "nano-banana (gemini-2.5-flash-image), …", listed when the model is unknown. */
  knownModels: string;
  /** The caller's signal: an abort it caused is a cancel, not a failure. */
  signal: AbortSignal | undefined;
  /** The per-attempt timeout, for the message when it ran out. */
  timeoutMs: number;
  nowMs: number;
}

/** The SDK's ApiError, recognised by shape (name + numeric status) rather than by class identity. */
interface ApiErrorLike {
  name: 'ApiError';
  status: number;
  message: string;
}

function isApiError(value: unknown): value is ApiErrorLike {
  return value instanceof Error && value.name === 'ApiError' && typeof (value as { status?: unknown }).status === 'number';
}

/** The HTTP status of an SDK `ApiError`, or undefined for anything else. */
export function apiErrorStatus(value: unknown): number | undefined {
  return isApiError(value) ? value.status : undefined;
}

/** The ImagefleetError to throw for `thrown`; ImagefleetErrors pass through. */
export function mapGeminiError(thrown: unknown, context: GeminiErrorContext): ImagefleetError {
  if (isImagefleetError(thrown)) return thrown;
  const clean = (text: string): string => redactApiKey(text, context.apiKey);
  if (context.signal?.aborted) return new ImagefleetError('canceled', `Canceled while ${context.action}.`);

  if (isApiError(thrown)) {
    const body = parseGoogleErrorBody(thrown.message);
    const status = thrown.status;
    const said = clean(`${status}${body.status ? ` ${body.status}` : ''}${body.message ? `: ${body.message}` : ''}`);
    if (status === 429) {
      if (isDailyQuota(body)) {
        return providerError('paused', `Gemini's daily quota is used up (${said}) while ${context.action}; this model resumes after midnight US Pacific time, when Google resets it.`, {
          retryAfterMs: msUntilPacificMidnight(context.nowMs),
        });
      }
      // The quota the 429 names (requests, images or input tokens per minute) is the one the learned rate cuts.
      const { dimension } = parseQuotaFailure(thrown.message.slice(Math.max(0, thrown.message.indexOf('{'))));
      return providerError('rate_limited', `Gemini rate limit (${said}) while ${context.action}.`, {
        ...(body.retryDelayMs === undefined ? {} : { retryAfterMs: body.retryDelayMs }),
        quotaDimension: dimension,
      });
    }
    if (status === 401 || status === 403) {
      return providerError('paused', `Gemini refused the API key (${said}) while ${context.action}. Check GEMINI_API_KEY: the provider resumes when the key changes.`);
    }
    if (status === 404 && context.notFoundMeans === 'model') {
      return providerError(
        'invalid',
        `Gemini does not know this model (${said}) while ${context.action}; Google may have retired the id. Known models: ${context.knownModels}. Set GEMINI_MODEL_NANO_BANANA, GEMINI_MODEL_NANO_BANANA_PRO or GEMINI_MODEL_NANO_BANANA_2 to a current id.`,
      );
    }
    if (status === 408 || status === 499 || status >= 500) {
      return providerError('transient', `Gemini failed (${said}) while ${context.action}.`);
    }
    return providerError('invalid', `Gemini rejected the request (${said}) while ${context.action}.`);
  }

  if (thrown instanceof Error && (thrown.name === 'AbortError' || thrown.name === 'TimeoutError')) {
    // Not our signal: the SDK's per-attempt timer fired.
    return providerError('transient', `Gemini did not answer within ${context.timeoutMs} ms (GEMINI_TIMEOUT_MS) while ${context.action}.`);
  }
  const detail = thrown instanceof Error ? describeNetworkError(thrown) : String(thrown);
  return providerError('transient', clean(`Could not reach Gemini while ${context.action}: ${detail}.`));
}

/** "fetch failed (ECONNREFUSED)": the message plus the system error code a fetch failure hides in `cause`. */
function describeNetworkError(error: Error): string {
  const cause = error.cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code === undefined ? error.message : `${error.message} (${code})`;
}
