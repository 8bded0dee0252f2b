/**
 * Reads Google's JSON error body (`{"error":{"code","status","message","details":[…]}}`). The SDK
 * puts the whole body, stringified, into `ApiError.message`, so RetryInfo and QuotaFailure come
 * from parsing that text. Durations are read by the same rules as the quota parser in core.
 */
import { parseDurationMs, retryDelayFromMessage } from '../../core/quota-failure.js';


/** What an error body says, as far as the provider acts on it. */
export interface GoogleErrorBody {
  /** HTTP-style code from the body (`error.code`), when present. */
  code: number | undefined;
  /** Canonical status, e.g. `RESOURCE_EXHAUSTED`. */
  status: string | undefined;
  /** Google's human message. */
  message: string | undefined;
  /** `RetryInfo.retryDelay`, or the "Please retry in 47.4s" of the message, in ms. */
  retryDelayMs: number | undefined;
  /** `quotaId` and `quotaMetric` of every QuotaFailure violation. */
  quotaIdentifiers: string[];
}

const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';
const quotaFailureType = 'type.googleapis.com/google.rpc.QuotaFailure';

/** Parses an error body (JSON text); fields it cannot find are undefined (or empty). */
export function parseGoogleErrorBody(text: string): GoogleErrorBody {
  const body = parseJsonObject(text) ?? parseJsonObject(text.slice(Math.max(0, text.indexOf('{'))));
  const error = asRecord(body?.error);
  const details = Array.isArray(error?.details) ? error.details.map(asRecord) : [];
  let retryDelayMs: number | undefined;
  const quotaIdentifiers: string[] = [];
  for (const detail of details) {
    if (detail?.['@type'] === retryInfoType) retryDelayMs ??= parseDurationMs(detail.retryDelay);
    if (detail?.['@type'] === quotaFailureType && Array.isArray(detail.violations)) {
      for (const violation of detail.violations.map(asRecord)) {
        for (const field of ['quotaId', 'quotaMetric'] as const) {
          const value = violation?.[field];
          if (typeof value === 'string') quotaIdentifiers.push(value);
        }
      }
    }
  }
  const message = typeof error?.message === 'string' ? error.message : body === undefined ? text : undefined;
  retryDelayMs ??= retryDelayFromMessage(message);
  return {
    code: typeof error?.code === 'number' ? error.code : undefined,
    status: typeof error?.status === 'string' ? error.status : undefined,
    message,
    retryDelayMs,
    quotaIdentifiers,
  };
}

/** True when a 429 is about a per-day quota (which stays exhausted until midnight Pacific). */
export function isDailyQuota(body: GoogleErrorBody): boolean {
  return body.quotaIdentifiers.some((identifier) => /per[-_ ]?day/i.test(identifier));
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
