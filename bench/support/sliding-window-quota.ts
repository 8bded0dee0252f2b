export type QuotaDecision = { accepted: true } | { accepted: false; retryAfterMs: number };

/**
 * A per-key sliding-window request limit: at most `limit` accepted requests in any window of
 * `windowMs`, the window being (now − windowMs, now]. Only accepted requests fill the window, so a
 * refused request costs the client nothing but the round trip (the generous model: real providers
 * may count refused requests too). A refusal says when the oldest accepted request leaves the
 * window, which is exactly when a slot frees.
 */
export class SlidingWindowQuota {
  private readonly acceptedAtMsByKey = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
  }

  decide(key: string, nowMs: number): QuotaDecision {
    let acceptedAtMs = this.acceptedAtMsByKey.get(key);
    if (!acceptedAtMs) {
      acceptedAtMs = [];
      this.acceptedAtMsByKey.set(key, acceptedAtMs);
    }
    // Arrivals are appended in time order, so expired ones are at the front.
    while (acceptedAtMs.length > 0 && acceptedAtMs[0]! <= nowMs - this.windowMs) acceptedAtMs.shift();
    if (acceptedAtMs.length < this.limit) {
      acceptedAtMs.push(nowMs);
      return { accepted: true };
    }
    return { accepted: false, retryAfterMs: acceptedAtMs[0]! + this.windowMs - nowMs };
  }
}
