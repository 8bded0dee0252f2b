import type { Clock } from '../../src/engine/ports.js';

interface Sleeper {
  wakeAtMs: number;
  resolve: () => void;
}

/** A clock that moves only when the test says so: exact backoff and lease timing. */
export class ManualClock implements Clock {
  private sleepers: Sleeper[] = [];

  constructor(private currentMs = 1_700_000_000_000) {}

  now(): number {
    return this.currentMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { wakeAtMs: this.currentMs + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((candidate) => candidate !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.currentMs += ms;
    const due = this.sleepers.filter((sleeper) => sleeper.wakeAtMs <= this.currentMs);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.wakeAtMs > this.currentMs);
    for (const sleeper of due) sleeper.resolve();
  }
}
