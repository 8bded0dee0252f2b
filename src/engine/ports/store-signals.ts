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
}
