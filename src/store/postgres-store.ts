/**
 * The Postgres store (issue 17): every repository over one connection pool, typed by the `Store`
 * port. Unlike SQLite (one connection per process, docs/decisions/0002) any number of processes and
 * machines may share the database; exactness comes from row locks and the database's own
 * guarantees (docs/decisions/0039).
 */
import { InProcessEventBus } from '../engine/engine-events.js';
import type { Store } from '../engine/ports.js';
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
import { PostgresWebSessionRepository } from './postgres/postgres-web-session-repository.js';

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
}

/** Connects, migrates (`storage_unavailable` naming IMAGEFLEET_DATABASE_URL when it cannot) and builds every repository on one pool. */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
  const connection = await openPostgres({ connectionString: options.connectionString, poolSize: options.poolSize });
  const { db } = connection;
  const now = options.now ?? Date.now;
  const eventBus = new InProcessEventBus();
  publishCommittedPostgresEventsTo(db, eventBus);
  return {
    connection,
    jobs: new PostgresJobRepository(db),
    assets: new PostgresAssetRepository(db),
    images: new PostgresImageRepository(db),
    groups: new PostgresGroupRepository(db, now),
    events: new PostgresEventLog(db),
    eventBus,
    queue: new PostgresTaskQueue(db, options.clock ?? 'database'),
    control: new PostgresJobControl(db),
    webhooks: new PostgresWebhookOutbox(db),
    webSessions: new PostgresWebSessionRepository(db),
    cliSessions: new PostgresCliSessionRepository(db),
    close: () => connection.close(),
  };
}
