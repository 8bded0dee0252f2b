/** Every repository of one store, typed by ports: what `createFleet` hands the engine and operations. */
import type { AssetRepository } from './asset-repository.js';
import type { CliSessionRepository } from './cli-session-repository.js';
import type { DomainEventBus } from './event-bus.js';
import type { EventLog } from './event-log.js';
import type { GroupRepository } from './group-repository.js';
import type { ImageRepository } from './image-repository.js';
import type { JobControl } from './job-control.js';
import type { JobRepository } from './job-repository.js';
import type { StoreSignals } from './store-signals.js';
import type { TaskQueue } from './task-queue.js';
import type { WebSessionRepository } from './web-session-repository.js';
import type { WebhookOutbox } from './webhook-outbox.js';

/**
 * One store (SQLite today, Postgres next): each repository over the same database, so a rule
 * written once in `engine`/`core` holds whichever adapter is behind it (DESIGN §3, §9).
 */
export interface Store {
  jobs: JobRepository;
  assets: AssetRepository;
  images: ImageRepository;
  groups: GroupRepository;
  events: EventLog;
  /** Where each event this store commits is published, after its commit; the engine publishes `task.progress` here too. */
  eventBus: DomainEventBus;
  queue: TaskQueue;
  control: JobControl;
  webhooks: WebhookOutbox;
  webSessions: WebSessionRepository;
  cliSessions: CliSessionRepository;
  /** Wake-ups from other processes sharing this store; absent when the adapter has none (SQLite: readers poll). */
  signals?: StoreSignals;
  /** Closes the connection(s); the store is unusable afterwards. */
  close(): Promise<void>;
}
