/**
 * Live `task.progress` across processes (issue 17): progress this process publishes goes to the
 * other processes sharing the store, throttled per task, and progress they share is published on
 * this process's bus, so SSE streams and progress trackers here show a task running elsewhere.
 * Transient like the event itself: a lost report is only a progress bar that moves later.
 */
import type { DomainEvent, DomainEventOf } from '../core/events.js';
import type { Clock, DomainEventBus, SharedTaskProgress, StoreSignals } from './ports.js';

/** At most one report per task per this many ms leaves the process by default. */
export const defaultProgressShareIntervalMs = 250;

interface OpenWindow {
  /** The newest report held back inside the window; sent when the window ends. */
  pending?: SharedTaskProgress;
  /** Ends the window early (the task finished, or sharing stopped). */
  abort: AbortController;
}

/**
 * Lets through at most one report per task per `intervalMs`: the first at once, the newest of
 * those held back when the window ends, and a finished one (fraction 1) always at once, so the
 * other processes never keep a stale last value.
 */
export class ProgressShareThrottle {
  private readonly windows = new Map<string, OpenWindow>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly send: (progress: SharedTaskProgress) => void,
    private readonly intervalMs = defaultProgressShareIntervalMs,
  ) {}

  /** Offers one report; sends it now, later (as the newest of its window) or not at all (superseded). */
  offer(progress: SharedTaskProgress): void {
    if (this.closed) return;
    const open = this.windows.get(progress.taskId);
    if (progress.fraction >= 1) {
      if (open) {
        open.abort.abort();
        this.windows.delete(progress.taskId);
      }
      this.send(progress);
      return;
    }
    if (open) {
      open.pending = progress;
      return;
    }
    this.send(progress);
    this.openWindow(progress.taskId);
  }

  /** Drops held-back reports and ends every window; later offers are ignored. */
  close(): void {
    this.closed = true;
    for (const open of this.windows.values()) open.abort.abort();
    this.windows.clear();
  }

  /** How many tasks have a window open (tests check nothing is kept after a task goes quiet). */
  get openWindowCount(): number {
    return this.windows.size;
  }

  private openWindow(taskId: string): void {
    const window: OpenWindow = { abort: new AbortController() };
    this.windows.set(taskId, window);
    void this.clock.sleep(this.intervalMs, window.abort.signal).then(() => {
      if (window.abort.signal.aborted || this.windows.get(taskId) !== window) return;
      this.windows.delete(taskId);
      const pending = window.pending;
      if (pending === undefined) return;
      this.send(pending);
      this.openWindow(taskId);
    });
  }
}

export interface ProgressSharingOptions {
  /** The bus of this process: its own `task.progress` is read here, other processes' published here. */
  events: DomainEventBus;
  /** The store's cross-process signals (Postgres). */
  signals: StoreSignals;
  clock: Clock;
  /** Minimum ms between two reports of one task leaving this process; default 250. */
  intervalMs?: number;
}

/** Starts sharing progress both ways; returns the function that stops it. */
export function shareTaskProgress(options: ProgressSharingOptions): () => void {
  const { events, signals } = options;
  // Reports received from elsewhere are published here too; they must not be sent back out.
  const received = new WeakSet<DomainEvent>();
  const throttle = new ProgressShareThrottle(
    options.clock,
    (progress) => {
      try {
        signals.shareProgress(progress);
      } catch {
        // Sharing is best effort and must never reach the task runner that published.
      }
    },
    options.intervalMs,
  );
  const unsubscribeBus = events.subscribe((event) => {
    if (event.type !== 'task.progress' || received.has(event)) return;
    throttle.offer({ jobId: event.jobId, taskId: event.taskId, fraction: event.payload.fraction });
  });
  const unsubscribeSignals = signals.subscribeProgress((progress) => {
    const event: DomainEventOf<'task.progress'> = { type: 'task.progress', jobId: progress.jobId, taskId: progress.taskId, payload: { fraction: progress.fraction } };
    received.add(event);
    events.publish(event);
  });
  return () => {
    unsubscribeSignals();
    unsubscribeBus();
    throttle.close();
  };
}
