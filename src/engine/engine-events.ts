/**
 * The in-process `DomainEventBus`: what the CLI progress display, the web app's live updates and
 * the webhook deliverer's wake-ups listen to. The store publishes its committed events here and the
 * engine publishes `task.progress`; there is no second vocabulary (see `core/events.ts`).
 */
import type { DomainEvent } from '../core/events.js';
import type { DomainEventBus, DomainEventListener } from './ports/event-bus.js';

export class InProcessEventBus implements DomainEventBus {
  private readonly listeners = new Set<DomainEventListener>();

  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the engine loop or a store write that already committed.
      }
    }
  }
}
