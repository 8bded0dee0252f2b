/**
 * Keeps one process under RunPod's per-endpoint request limits (documented per 10 s window: /run
 * 1000, /status 2000, /cancel 100). The engine's RPM limit counts submissions across processes;
 * this guard also covers status checks and cancels, which the engine does not count.
 */
import { wait } from '../../platform/wait.js';

export interface RequestPacerSettings {
  /** Most requests in any window. */
  maxRequests: number;
  /** Window length, ms. */
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class RequestPacer {
  private readonly startsMs: number[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly settings: RequestPacerSettings) {
    this.now = settings.now ?? Date.now;
    this.sleep = settings.sleep ?? ((ms, signal) => wait(ms, signal));
  }

  /** Resolves when one more request fits in the window, and counts it. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const nowMs = this.now();
      while (this.startsMs.length > 0 && (this.startsMs[0] ?? 0) <= nowMs - this.settings.windowMs) this.startsMs.shift();
      if (this.startsMs.length < this.settings.maxRequests) {
        this.startsMs.push(nowMs);
        return;
      }
      await this.sleep((this.startsMs[0] ?? nowMs) + this.settings.windowMs - nowMs + 1, signal);
    }
  }
}
