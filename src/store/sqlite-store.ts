import { InProcessEventBus } from '../engine/engine-events.js';
import type { Store, WebSessionRepository } from '../engine/ports.js';
import { SqliteCliSessionRepository } from './database/cli-session-repository.js';
import { SqliteAssetRepository } from './database/asset-repository.js';
import { SqliteEventLog } from './database/event-log.js';
import { SqliteGroupRepository } from './database/group-repository.js';
import { SqliteImageRepository } from './database/image-repository.js';
import { SqliteJobControl } from './database/job-control.js';
import { SqliteJobRepository } from './database/job-repository.js';
import { publishCommittedEventsTo } from './database/immediate-transaction.js';
import { openDatabase, type SqliteDatabase } from './database/open-database.js';
import { SqliteTaskQueue } from './database/task-queue.js';
import { SqliteWebhookOutbox } from './database/webhook-outbox.js';
import { withTranslatedErrors } from './database/translate-sqlite-error.js';
import { createWebSessionRepository } from './shared/kysely-web-session-repository.js';

/** Every repository over one SQLite connection. One per process: see docs/decisions/0002. */
export interface SqliteStore extends Store {
  database: SqliteDatabase;
  jobs: SqliteJobRepository;
  assets: SqliteAssetRepository;
  images: SqliteImageRepository;
  groups: SqliteGroupRepository;
  events: SqliteEventLog;
  queue: SqliteTaskQueue;
  control: SqliteJobControl;
  webhooks: SqliteWebhookOutbox;
  webSessions: WebSessionRepository;
  cliSessions: SqliteCliSessionRepository;
  close(): Promise<void>;
}

/**
 * Opens (creating and migrating as needed) the database at `databasePath` and builds every
 * repository on its single connection. Within a process all work must share this one store:
 * two better-sqlite3 connections in one thread can block each other on the write lock.
 */
export async function openSqliteStore(options: { databasePath: string; now?: () => number }): Promise<SqliteStore> {
  const database = await openDatabase({ filePath: options.databasePath });
  const now = options.now ?? Date.now;
  const { db } = database;
  const eventBus = new InProcessEventBus();
  publishCommittedEventsTo(db, eventBus);
  return {
    database,
    jobs: new SqliteJobRepository(db),
    assets: new SqliteAssetRepository(db),
    images: new SqliteImageRepository(db),
    groups: new SqliteGroupRepository(db, now),
    events: new SqliteEventLog(db),
    eventBus,
    queue: new SqliteTaskQueue(db),
    control: new SqliteJobControl(db),
    webhooks: new SqliteWebhookOutbox(db),
    webSessions: createWebSessionRepository(db, withTranslatedErrors),
    cliSessions: new SqliteCliSessionRepository(db),
    close: () => database.close(),
  };
}
