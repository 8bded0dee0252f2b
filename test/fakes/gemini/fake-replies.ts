/**
 * What the fake Gemini server can answer to one generateContent call (online, or one line of a
 * batch), and the JSON bodies Google sends for each case.
 */

/** One switchable behaviour. `image` is the default. */
export type FakeReply =
  /** A normal image reply; `width`/`height` override the size the request asked for. */
  | { kind: 'image'; width?: number; height?: number }
  /** `count` thought images (`thought: true`, red) before the final image (green). */
  | { kind: 'thought-images'; count: number }
  /** Only text, finish reason STOP: "Here is your image…" without one. */
  | { kind: 'text-only'; text?: string }
  /** No parts, finish reason NO_IMAGE. */
  | { kind: 'no-image' }
  /** `promptFeedback.blockReason` and no candidates. */
  | { kind: 'prompt-blocked'; reason?: string }
  /** A candidate whose finish reason is a block (IMAGE_SAFETY, PROHIBITED_CONTENT, …), no image. */
  | { kind: 'finish-blocked'; finishReason: string }
  /** 429 RESOURCE_EXHAUSTED for a per-minute quota, with RetryInfo. */
  | { kind: 'rate-limited'; retryDelaySeconds: number }
  /** 429 RESOURCE_EXHAUSTED for the per-day quota. */
  | { kind: 'daily-quota' }
  /** Any HTTP error with Google's body. */
  | { kind: 'error'; httpStatus: number; status: string; message: string }
  /** 400 whose message repeats the API key the call used (checks that it is redacted). */
  | { kind: 'echo-key-error' }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' };

/** A Google error body: `{"error": {code, message, status, details}}`. */
export function googleErrorBody(httpStatus: number, status: string, message: string, details: unknown[] = []): Record<string, unknown> {
  return { error: { code: httpStatus, message, status, ...(details.length > 0 ? { details } : {}) } };
}

/** The 429 of an exhausted per-minute quota, as real reports show it. */
export function perMinuteQuotaBody(retryDelaySeconds: number, model: string): Record<string, unknown> {
  const delay = `${Number(retryDelaySeconds.toFixed(3))}s`;
  return googleErrorBody(429, 'RESOURCE_EXHAUSTED', `You exceeded your current quota, please check your plan and billing details. Please retry in ${delay}.`, [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
          quotaDimensions: { location: 'global', model },
          quotaValue: '10',
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay },
  ]);
}

/** The 429 of an exhausted per-day quota. */
export function perDayQuotaBody(model: string): Record<string, unknown> {
  return googleErrorBody(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model_per_day',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
          quotaDimensions: { location: 'global', model },
          quotaValue: '250',
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3600s' },
  ]);
}

/** Output tokens per image, by model family and size (they drive the usage-based cost). */
export function imageOutputTokens(model: string, imageSize: string): number {
  if (model.startsWith('gemini-2.5-flash-image')) return 1290;
  if (model.startsWith('gemini-3-pro-image')) return imageSize === '4K' ? 2000 : 1120;
  const bySize: Record<string, number> = { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 };
  return bySize[imageSize] ?? 1120;
}
