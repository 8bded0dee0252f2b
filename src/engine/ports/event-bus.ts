/**
 * The in-process subscriber set of domain events (DESIGN §5.8). The store publishes each event it
 * persisted only after the transaction that wrote it commits (never one that rolled back); the
 * engine publishes the in-process-only `task.progress` on the same bus. Listeners run
 * synchronously and must be quick; other processes' events reach this one through the event log.
 */
import type { DomainEvent } from '../../core/events.js';

export type DomainEventListener = (event: DomainEvent) => void;

export interface DomainEventBus {
  /** Calls every listener with `event`; a listener that throws does not stop the others or the publisher. */
  publish(event: DomainEvent): void;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void;
}
