/**
 * Reads how long a 429 asks the client to wait: Google's `google.rpc.RetryInfo.retryDelay` in the
 * JSON error body first (millisecond precision), the HTTP `Retry-After` header second (whole
 * seconds or an HTTP date, RFC 9110 §10.2.3).
 */
export function retryDelayMs(bodyText: string, retryAfterHeader: string | null, nowMs: number): number | undefined {
  return retryInfoDelayMs(bodyText) ?? retryAfterHeaderMs(retryAfterHeader, nowMs);
}

const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';

/** `retryDelay` is a protobuf Duration in JSON form: decimal seconds with an `s` suffix, e.g. "12.345s". */
export function retryInfoDelayMs(bodyText: string): number | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as Array<Record<string, unknown>>) {
    if (detail['@type'] !== retryInfoType || typeof detail.retryDelay !== 'string') continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay);
    if (match) return Math.ceil(Number(match[1]) * 1000);
  }
  return undefined;
}

export function retryAfterHeaderMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
