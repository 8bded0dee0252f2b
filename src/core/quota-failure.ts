/**
 * Reads which quota a provider's 429 names and how long it asks the caller to wait, from Google's
 * error body: `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[…]}}`, where a
 * `google.rpc.QuotaFailure` detail lists `violations[].quotaId`/`quotaMetric` and a
 * `google.rpc.RetryInfo` detail carries `retryDelay` as a protobuf Duration ("47s", "0.5s").
 * The learned-rate controller keeps one rate per dimension, so this decides which one a 429 cuts.
 */

/**
 * The quota a 429 is about. Google names them in `quotaId`: requests per minute
 * (`GenerateRequestsPerMinutePerProjectPerModel[-FreeTier]`), images per minute (IPM, image models
 * only), input tokens per minute (`…InputTokensPerModelPerMinute…`) and requests per day
 * (`GenerateRequestsPerDayPerProjectPerModel[-FreeTier]`, exhausted until midnight Pacific).
 * `unknown`: a 429 without QuotaFailure (some carry no details at all) or an id we do not know.
 */
export type QuotaDimension = 'requests-per-minute' | 'images-per-minute' | 'input-tokens-per-minute' | 'requests-per-day' | 'unknown';

/** What a 429 says, as far as pacing acts on it. */
export interface QuotaFailure {
  /** The dimension the first recognised violation names; `unknown` when none is recognised. */
  dimension: QuotaDimension;
  /** `RetryInfo.retryDelay` (or the message's "Please retry in 47.4s"), ms, rounded up; undefined when absent. */
  retryAfterMs: number | undefined;
  /** `quotaValue` of that violation (the limit Google applied, in the dimension's unit), when it is a number. */
  quotaValue: number | undefined;
}

const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';
const quotaFailureType = 'type.googleapis.com/google.rpc.QuotaFailure';

/**
 * Parses a 429 body, given as JSON text or as the already-parsed object. Never throws: what it
 * cannot read is `unknown`/undefined. A per-day violation wins over per-minute ones in the same
 * body, because it stops the model until the reset whatever the minute rates say.
 */
export function parseQuotaFailure(body: unknown): QuotaFailure {
  const root = asRecord(typeof body === 'string' ? parseJson(body) : body);
  const error = asRecord(root?.error);
  const details = Array.isArray(error?.details) ? error.details.map(asRecord) : [];
  let retryAfterMs: number | undefined;
  const violations: Array<{ dimension: QuotaDimension; quotaValue: number | undefined }> = [];
  for (const detail of details) {
    if (detail?.['@type'] === retryInfoType) retryAfterMs ??= parseDurationMs(detail.retryDelay);
    if (detail?.['@type'] === quotaFailureType && Array.isArray(detail.violations)) {
      for (const violation of detail.violations.map(asRecord)) {
        if (!violation) continue;
        violations.push({ dimension: quotaDimensionOf(violation.quotaId, violation.quotaMetric), quotaValue: parseQuotaValue(violation.quotaValue) });
      }
    }
  }
  retryAfterMs ??= retryDelayFromMessage(typeof error?.message === 'string' ? error.message : undefined);
  const chosen = violations.find((violation) => violation.dimension === 'requests-per-day') ?? violations.find((violation) => violation.dimension !== 'unknown');
  return { dimension: chosen?.dimension ?? 'unknown', retryAfterMs, quotaValue: chosen?.quotaValue };
}

/**
 * The dimension a `quotaId` (or, failing that, a `quotaMetric`) names. Matching is on words, not
 * whole ids, because Google adds suffixes (`-FreeTier`, `PaidTier`) and varies the order.
 */
export function quotaDimensionOf(quotaId: unknown, quotaMetric?: unknown): QuotaDimension {
  for (const text of [quotaId, quotaMetric]) {
    if (typeof text !== 'string' || text === '') continue;
    const normalised = text.toLowerCase().replace(/[^a-z]/g, '');
    const perDay = normalised.includes('perday') || normalised.endsWith('day');
    const perMinute = normalised.includes('perminute') || normalised.endsWith('minute');
    if (perDay) return 'requests-per-day';
    if (normalised.includes('token') && perMinute) return 'input-tokens-per-minute';
    if (normalised.includes('image') && perMinute) return 'images-per-minute';
    if (normalised.includes('request') && perMinute) return 'requests-per-minute';
  }
  return 'unknown';
}

/** A protobuf Duration in JSON form ("47s", "0.5s", "1.250s") in ms, rounded up; undefined otherwise. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

/** The delay in Google's message text ("Please retry in 12.5s"), in ms rounded up; undefined when there is none. */
export function retryDelayFromMessage(message: string | undefined): number | undefined {
  const match = message === undefined ? null : /retry in (\d+(?:\.\d+)?)\s*s/i.exec(message);
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

function parseQuotaValue(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
