/**
 * In-process engine events: what the CLI progress display and the web app's live updates listen
 * to. Durable copies of the state changes are written to the store's event log in the same
 * transaction as the change; `task.progress` is in-process only.
 */
export type EngineEvent =
  | { type: 'task.started'; jobId: string; taskId: string; attempt: number }
  | { type: 'task.progress'; jobId: string; taskId: string; fraction: number }
  | { type: 'task.completed'; jobId: string; taskId: string; imageCount: number; costUsd: number; warnings: string[] }
  | { type: 'task.retrying'; jobId: string; taskId: string; errorCode: string; message: string; availableAtMs: number }
  | { type: 'task.failed'; jobId: string; taskId: string; status: 'failed' | 'blocked'; errorCode: string; message: string }
  | { type: 'task.canceled'; jobId: string; taskId: string }
  | { type: 'job.finished'; jobId: string; status: string; reason: string | undefined }
  | { type: 'provider.paused'; scopeKey: string; reason: string; untilMs: number | undefined }
  | { type: 'provider.rate_limited'; scopeKey: string; untilMs: number };

export type EngineEventListener = (event: EngineEvent) => void;

export class EngineEventBus {
  private readonly listeners = new Set<EngineEventListener>();

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the engine loop.
      }
    }
  }
}
