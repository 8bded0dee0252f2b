/**
 * The Postgres store (issue 17): every repository over one connection pool, typed by the `Store`
 * port. Unlike SQLite (one connection per process, docs/decisions/0002) any number of processes and
 * machines may share the database; exactness comes from row locks and the database's own
 * guarantees (docs/decisions/0039).
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError } from '../core/errors.js';
import { InProcessEventBus } from '../engine/engine-events.js';
import type { SharedTaskProgress, Store, StoreSignals } from '../engine/ports.js';
import { listenForCommittedEvents, notifyWorkAdded, type EventListener } from './postgres/listen-for-events.js';
import { notifyTaskProgress, readTaskProgress } from './postgres/task-progress-notifications.js';
import type { PostgresClock } from './postgres/database-clock.js';
import { openPostgres, type PostgresConnection } from './postgres/open-postgres.js';
import { PostgresAssetRepository } from './postgres/postgres-asset-repository.js';
import { PostgresCliSessionRepository } from './postgres/postgres-cli-session-repository.js';
import { PostgresEventLog } from './postgres/postgres-event-log.js';
import { PostgresImageRepository } from './postgres/postgres-image-repository.js';
import { PostgresGroupRepository } from './postgres/postgres-group-repository.js';
import { PostgresJobControl } from './postgres/postgres-job-control.js';
import { PostgresJobRepository } from './postgres/postgres-job-repository.js';
import { PostgresTaskQueue } from './postgres/postgres-task-queue.js';
import { PostgresWebhookOutbox } from './postgres/postgres-webhook-outbox.js';
import { publishCommittedPostgresEventsTo } from './postgres/postgres-transaction.js';
import { withTranslatedPostgresErrors } from './postgres/translate-postgres-error.js';
import { createWebSessionRepository } from './shared/kysely-web-session-repository.js';

/** The Postgres store: the port plus the connection, for diagnostics and tests. */
export interface PostgresStore extends Store {
  connection: PostgresConnection;
}

export interface OpenPostgresStoreOptions {
  /** `IMAGEFLEET_DATABASE_URL`: `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Pooled connections in this process; default `defaultPoolSize` (open-postgres.ts). */
  poolSize?: number;
  /**
   * The clock for times the port leaves to the store (group created/updated), epoch ms; default
   * `Date.now`.
   */
  now?: () => number;
  /**
   * Whose time leases, lease recovery, rate windows and cool-downs use: `database` (default) reads
   * the server's clock in the deciding transaction, so machines with skewed clocks agree; `caller`
   * uses the port's `nowMs`, as SQLite does (the contract suite drives time by hand).
   */
  clock?: PostgresClock;
  /**
   * Open a listening connection (one more than the pool) so `signals` reports what other
   * processes commit; default false (a short-lived reader such as `imagefleet sessions` needs none).
   * Failing to listen fails the open, like an unreachable database.
   */
  listen?: boolean;
}

/** Connects, migrates (`storage_unavailable` naming IMAGEFLEET_DATABASE_URL when it cannot) and builds every repository on one pool. */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
  const connection = await openPostgres({ connectionString: options.connectionString, poolSize: options.poolSize });
  const { db } = connection;
  const now = options.now ?? Date.now;
  const eventBus = new InProcessEventBus();
  publishCommittedPostgresEventsTo(db, eventBus);
  let listener: EventListener | undefined;
  let signals: StoreSignals | undefined;
  if (options.listen === true) {
    const listeners = new Set<() => void>();
    const progressListeners = new Set<(progress: SharedTaskProgress) => void>();
    // Names this store instance in its progress notifications, so it skips its own.
    const processId = randomUUID();
    try {
      listener = await listenForCommittedEvents(
        options.connectionString,
        () => {
          for (const wake of listeners) wake();
        },
        (payload) => {
          const progress = readTaskProgress(payload, processId);
          if (progress === undefined) return;
          for (const deliver of progressListeners) deliver(progress);
        },
      );
    } catch (error) {
      await connection.close();
      throw new ImagefleetError('storage_unavailable', `Cannot listen for other processes' events on the PostgreSQL database IMAGEFLEET_DATABASE_URL names (${connection.displayUrl}): ${error instanceof Error ? error.message : String(error)}; check the server and that it allows one more connection.`, { cause: error });
    }
    signals = {
      subscribe(wake) {
        listeners.add(wake);
        return () => listeners.delete(wake);
      },
      announceWork: () => notifyWorkAdded(connection.pool),
      shareProgress: (progress) => notifyTaskProgress(connection.pool, processId, progress),
      subscribeProgress(deliver) {
        progressListeners.add(deliver);
        return () => progressListeners.delete(deliver);
      },
    };
  }
  return {
    connection,
    ...(signals === undefined ? {} : { signals }),
    jobs: new PostgresJobRepository(db),
    assets: new PostgresAssetRepository(db),
    images: new PostgresImageRepository(db),
    groups: new PostgresGroupRepository(db, now),
    events: new PostgresEventLog(db),
    eventBus,
    queue: new PostgresTaskQueue(db, options.clock ?? 'database'),
    control: new PostgresJobControl(db),
    webhooks: new PostgresWebhookOutbox(db),
    webSessions: createWebSessionRepository(db, withTranslatedPostgresErrors),
    cliSessions: new PostgresCliSessionRepository(db),
    close: async () => {
      await listener?.close();
      await connection.close();
    },
  };
}
