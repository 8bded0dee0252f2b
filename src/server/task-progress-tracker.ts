/**
 * Remembers the latest progress fraction of each running task from the engine's in-process
 * `task.progress` events, so a page opened mid-call (or reloaded) draws its progress bars at the
 * right place instead of at zero until the next event. Progress is not stored in the database:
 * it changes many times a second and is worthless after the call ends.
 */
import type { DomainEvent } from '../core/events.js';

interface Subscribable {
  subscribe(listener: (event: DomainEvent) => void): () => void;
}

/** Above this many entries, ones not updated for `staleEntryMs` are dropped (tasks of a job canceled whole end without an in-process event). */
const pruneAboveEntries = 1000;
const staleEntryMs = 10 * 60_000;

export class TaskProgressTracker {
  private readonly fractionByTaskId = new Map<string, { jobId: string; fraction: number; atMs: number }>();

  constructor(engine: Subscribable) {
    // Lives as long as the fleet: the server state holding it is dropped with the fleet.
    engine.subscribe((event) => this.record(event));
  }

  /** The task's latest fraction 0..1 while it runs in this process; undefined when unknown. */
  fractionOf(taskId: string): number | undefined {
    return this.fractionByTaskId.get(taskId)?.fraction;
  }

  private record(event: DomainEvent): void {
    switch (event.type) {
      case 'task.progress':
        this.fractionByTaskId.set(event.taskId, { jobId: event.jobId, fraction: Math.max(0, Math.min(1, event.payload.fraction)), atMs: Date.now() });
        if (this.fractionByTaskId.size > pruneAboveEntries) this.pruneStale();
        return;
      case 'task.started':
      case 'task.completed':
      case 'task.failed':
      case 'task.retrying':
      case 'task.canceled':
        this.fractionByTaskId.delete(event.taskId);
        return;
      case 'job.finished':
        for (const [taskId, entry] of this.fractionByTaskId) if (entry.jobId === event.jobId) this.fractionByTaskId.delete(taskId);
        return;
      default:
        return;
    }
  }

  private pruneStale(): void {
    const cutoffMs = Date.now() - staleEntryMs;
    for (const [taskId, entry] of this.fractionByTaskId) if (entry.atMs < cutoffMs) this.fractionByTaskId.delete(taskId);
  }
}
