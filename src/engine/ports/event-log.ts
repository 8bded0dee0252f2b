/** The durable event log other processes and SSE tail. A port: adapters in src/store implement it. */
import type { PersistedDomainEvent } from '../../core/events.js';

/** Where a stored event sits in the log. */
interface StoredEventPosition {
  /** Event id: increasing in commit order within one store; SSE sends it as `id:`. */
  id: number;
  /** When it happened, epoch ms (also the basis of pruning). */
  createdAtMs: number;
}

/** A stored event of the one vocabulary (`core/events.ts`), its payload validated on read. */
export type StoredDomainEvent = PersistedDomainEvent & StoredEventPosition & { recognised: true };

/**
 * A stored row this version does not recognise: a type it does not know, or a payload that does
 * not fit the type's schema (written by another version). It is passed on, not skipped, so readers
 * that only forward events (SSE) keep forwarding it under `storedType` and cursors move past it;
 * its `type` is the literal `unrecognised`, so code that narrows on `type` never mistakes it for a
 * typed event (see docs/decisions/0033).
 */
export interface UnrecognisedStoredEvent extends StoredEventPosition {
  recognised: false;
  type: 'unrecognised';
  /** The row's type as written. */
  storedType: string;
  jobId: string | undefined;
  taskId: string | undefined;
  /** The row's payload as written (parsed JSON). */
  payload: unknown;
}

/** Durable domain events; SSE and other processes tail them by id. */
export type StoredEvent = StoredDomainEvent | UnrecognisedStoredEvent;

export interface EventLog {
  /** Events with id > afterId, oldest first. */
  readEvents(afterId: number, filter: { jobId?: string; limit?: number }): Promise<StoredEvent[]>;
  /** Deletes events older than `beforeMs`. */
  pruneEvents(beforeMs: number): Promise<number>;
  /** Id of the newest event, 0 when there is none. */
  lastEventId(): Promise<number>;
}
