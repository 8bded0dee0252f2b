/** The durable event log other processes and SSE tail. A port: adapters in src/store implement it. */
/** Durable engine events; SSE and other processes tail them by id. */
export interface StoredEvent {
  id: number;
  type: string;
  jobId: string | undefined;
  taskId: string | undefined;
  payload: Record<string, unknown>;
  createdAtMs: number;
}

export interface EventLog {
  /** Events with id > afterId, oldest first. */
  readEvents(afterId: number, filter: { jobId?: string; limit?: number }): Promise<StoredEvent[]>;
  /** Deletes events older than `beforeMs`. */
  pruneEvents(beforeMs: number): Promise<number>;
  /** Id of the newest event, 0 when there is none. */
  lastEventId(): Promise<number>;
}
