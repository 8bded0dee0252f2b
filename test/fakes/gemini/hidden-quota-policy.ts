/**
 * A hidden Gemini quota, for the learned-rate benchmark and simulation: N requests in any window of
 * W ms (e.g. 10 per 5 s, i.e. 120/min, which no documentation tells the client), and optionally
 * images and input tokens per minute. Limits can change mid-run (halve, double). Decided at the
 * request's arrival, as Google's front end does; refusals are answered with the real
 * RESOURCE_EXHAUSTED body: a QuotaFailure naming the exhausted quota's `quotaId` and a RetryInfo
 * saying when the window has room again. Every arrival is recorded for the analysis. Pure: the
 * caller passes the time, so a manual clock and a real server can both drive it.
 */
import { googleErrorBody } from './fake-replies.js';

/** The hidden limits; an absent one does not apply. */
export interface HiddenQuotaLimits {
  /**
   * At most `limit` accepted requests per `windowMs`: in any window (now − windowMs, now] when
   * `kind` is `sliding` (the default), or per clock-aligned window [k·windowMs, (k+1)·windowMs)
   * when `fixed` (a counter that resets, the retry delay running to the reset).
   */
  requests?: { limit: number; windowMs: number; kind?: 'sliding' | 'fixed' };
  /** Accepted images in any minute. */
  imagesPerMinute?: number;
  /** Accepted input tokens in any minute. */
  inputTokensPerMinute?: number;
}

/** Which hidden limit refused a request. */
export type HiddenQuotaDimension = 'requests' | 'images' | 'input-tokens';

/** One arrival as the quota saw it. */
export interface HiddenQuotaArrival {
  /** When the request arrived (and the quota decided), ms on the caller's clock. */
  arrivalMs: number;
  /** Caller's tag, e.g. the client or process name, so side-by-side clients can be told apart. */
  client: string;
  status: 200 | 429;
  /** For a 429: the limit it hit and the retry delay announced, ms. */
  refusedBy: HiddenQuotaDimension | undefined;
  retryAfterMs: number | undefined;
  images: number;
  inputTokens: number;
}

/**
 * Arrivals that came while a retry delay announced by an earlier 429 to the same caller still ran
 * (at least 50 ms after the 429, for clock slack): the calls a client should never send. Pass one
 * client's arrivals, in arrival order.
 */
export function arrivalsInsideRetryDelay(arrivals: readonly HiddenQuotaArrival[]): number {
  let inside = 0;
  let blockedUntilMs = 0;
  for (const arrival of arrivals) {
    if (arrival.arrivalMs < blockedUntilMs) inside += 1;
    if (arrival.status === 429 && arrival.retryAfterMs !== undefined) blockedUntilMs = Math.max(blockedUntilMs, arrival.arrivalMs + 50, arrival.arrivalMs + arrival.retryAfterMs);
  }
  return inside;
}

export type HiddenQuotaDecision = { accepted: true } | { accepted: false; refusedBy: HiddenQuotaDimension; retryAfterMs: number; httpStatus: 429; body: Record<string, unknown> };

/** The `quotaId`s Google uses (requests, input tokens) or would use (images) for each limit. */
export const hiddenQuotaIds: Record<HiddenQuotaDimension, string> = {
  requests: 'GenerateRequestsPerMinutePerProjectPerModel',
  images: 'GenerateContentImagesPerMinutePerProjectPerModel',
  'input-tokens': 'GenerateContentInputTokensPerModelPerMinute',
};

const minuteMs = 60_000;

export class HiddenQuotaPolicy {
  /** Every decision, in arrival order. */
  readonly arrivals: HiddenQuotaArrival[] = [];
  private accepted: Array<{ atMs: number; images: number; inputTokens: number }> = [];

  constructor(
    private limits: HiddenQuotaLimits,
    private readonly model = 'gemini-3.1-flash-image',
  ) {}

  /** Changes the limits from now on; what was already accepted still fills the windows. */
  setLimits(limits: HiddenQuotaLimits): void {
    this.limits = limits;
  }

  get currentLimits(): HiddenQuotaLimits {
    return this.limits;
  }

  /** Accepted requests per minute the current limits allow (the capacity utilisation is measured against). */
  requestsPerMinute(): number | undefined {
    const requests = this.limits.requests;
    return requests === undefined ? undefined : (requests.limit * minuteMs) / requests.windowMs;
  }

  /** Decides one request arriving at `nowMs`, counts it when accepted, and records it. */
  decide(nowMs: number, usage: { client?: string; images?: number; inputTokens?: number } = {}): HiddenQuotaDecision {
    const images = usage.images ?? 1;
    const inputTokens = usage.inputTokens ?? 0;
    const longestWindowMs = Math.max(minuteMs, this.limits.requests?.windowMs ?? 0);
    this.accepted = this.accepted.filter((entry) => entry.atMs > nowMs - longestWindowMs);
    const refusal = this.refusal(nowMs, images, inputTokens);
    this.arrivals.push({ arrivalMs: nowMs, client: usage.client ?? '', status: refusal ? 429 : 200, refusedBy: refusal?.refusedBy, retryAfterMs: refusal?.retryAfterMs, images, inputTokens });
    if (!refusal) {
      this.accepted.push({ atMs: nowMs, images, inputTokens });
      return { accepted: true };
    }
    return { accepted: false, ...refusal, httpStatus: 429, body: this.refusalBody(refusal.refusedBy, refusal.retryAfterMs) };
  }

  private refusal(nowMs: number, images: number, inputTokens: number): { refusedBy: HiddenQuotaDimension; retryAfterMs: number } | undefined {
    const { requests, imagesPerMinute, inputTokensPerMinute } = this.limits;
    if (requests?.kind === 'fixed') {
      const windowStartMs = Math.floor(nowMs / requests.windowMs) * requests.windowMs;
      const used = this.accepted.filter((entry) => entry.atMs >= windowStartMs).length;
      if (used + 1 > requests.limit) return { refusedBy: 'requests', retryAfterMs: Math.max(1, windowStartMs + requests.windowMs - nowMs) };
    } else if (requests) {
      const retryAfterMs = this.waitForRoom(nowMs, requests.windowMs, requests.limit, 1, () => 1);
      if (retryAfterMs !== undefined) return { refusedBy: 'requests', retryAfterMs };
    }
    if (imagesPerMinute !== undefined) {
      const retryAfterMs = this.waitForRoom(nowMs, minuteMs, imagesPerMinute, images, (entry) => entry.images);
      if (retryAfterMs !== undefined) return { refusedBy: 'images', retryAfterMs };
    }
    if (inputTokensPerMinute !== undefined) {
      const retryAfterMs = this.waitForRoom(nowMs, minuteMs, inputTokensPerMinute, inputTokens, (entry) => entry.inputTokens);
      if (retryAfterMs !== undefined) return { refusedBy: 'input-tokens', retryAfterMs };
    }
    return undefined;
  }

  /**
   * Undefined when `needed` more units fit in the window now; otherwise how long until enough
   * accepted units have left it. After a limit is lowered the window may hold more than the new
   * limit, so this is not simply when the oldest one leaves.
   */
  private waitForRoom(nowMs: number, windowMs: number, limit: number, needed: number, unitsOf: (entry: { images: number; inputTokens: number }) => number): number | undefined {
    const inWindow = this.accepted.filter((entry) => entry.atMs > nowMs - windowMs);
    let used = inWindow.reduce((sum, entry) => sum + unitsOf(entry), 0);
    if (used + needed <= limit) return undefined;
    for (const entry of inWindow) {
      used -= unitsOf(entry);
      if (used + needed <= limit) return Math.max(1, entry.atMs + windowMs - nowMs);
    }
    // The request alone is larger than the limit: it will never fit; say a full window.
    return windowMs;
  }

  private refusalBody(refusedBy: HiddenQuotaDimension, retryAfterMs: number): Record<string, unknown> {
    const delay = `${(retryAfterMs / 1000).toFixed(3)}s`;
    const quotaValue = refusedBy === 'requests' ? this.requestsPerMinute() : refusedBy === 'images' ? this.limits.imagesPerMinute : this.limits.inputTokensPerMinute;
    return googleErrorBody(429, 'RESOURCE_EXHAUSTED', `You exceeded your current quota, please check your plan and billing details. Please retry in ${delay}.`, [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: `generativelanguage.googleapis.com/${refusedBy === 'input-tokens' ? 'generate_content_input_token_count' : refusedBy === 'images' ? 'generate_content_images' : 'generate_requests_per_model'}`,
            quotaId: hiddenQuotaIds[refusedBy],
            quotaDimensions: { location: 'global', model: this.model },
            quotaValue: String(Math.round(quotaValue ?? 0)),
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay },
    ]);
  }
}
