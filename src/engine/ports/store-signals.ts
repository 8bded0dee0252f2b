/**
 * Wake-ups between processes that share one store (Postgres `LISTEN/NOTIFY`, DESIGN §9). Only a
 * hint that something may have changed: a lost signal delays a reader until its next poll, which
 * stays the correctness path. A store only one process writes at a time (SQLite) has none.
 */
export interface StoreSignals {
  /**
   * Calls `listener` soon after any process sharing the store (this one included) committed events
   * or announced work; returns the unsubscribe function. Listeners must be quick (wake, schedule).
   */
  subscribe(listener: () => void): () => void;
  /** Tells every process that work was added without an event (a new job): their idle engines claim now. Never throws. */
  announceWork(): void;
  /**
   * Sends how far a task running in this process is to the other processes (never stored; a lost
   * one is simply not shown). The caller throttles. Never throws and never waits.
   */
  shareProgress(progress: SharedTaskProgress): void;
  /**
   * Calls `listener` with each progress report another process shared (never this process's own);
   * returns the unsubscribe function. Listeners must be quick.
   */
  subscribeProgress(listener: (progress: SharedTaskProgress) => void): () => void;
}

/** One `task.progress` as it crosses processes. */
export interface SharedTaskProgress {
  /** The task's job id. */
  jobId: string;
  /** The running task's id. */
  taskId: string;
  /** Fraction done, 0..1. */
  fraction: number;
}
