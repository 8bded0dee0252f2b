/** A per-window request quota as Google applies it: N accepted requests in any window of `windowMs`. */
export class SlidingWindowQuota {
  private accepted: number[] = [];

  constructor(
    private readonly requestsPerWindow: number,
    private readonly windowMs: number,
  ) {}

  /** Accepts the request (and counts it), or says how long until a slot frees up. */
  decide(nowMs: number): { accepted: true } | { accepted: false; retryAfterMs: number } {
    this.accepted = this.accepted.filter((startedAtMs) => startedAtMs > nowMs - this.windowMs);
    if (this.accepted.length < this.requestsPerWindow) {
      this.accepted.push(nowMs);
      return { accepted: true };
    }
    const oldest = this.accepted[0] ?? nowMs;
    return { accepted: false, retryAfterMs: Math.max(1, oldest + this.windowMs - nowMs) };
  }
}
