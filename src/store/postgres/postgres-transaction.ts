/**
 * Transactions on the Postgres store: retried on serialization failure and deadlock (40001,
 * 40P01), and publishing the events they append after COMMIT — the same contract as SQLite's
 * `runImmediateTransaction` (../database/immediate-transaction.ts, DESIGN §5.8).
 *
 * Each attempt runs on one pooled connection (Kysely's `transaction()`), READ COMMITTED unless the
 * caller asks for more; rows a decision depends on are locked explicitly (`FOR UPDATE`, advisory
 * locks), as Graphile Worker, River, Solid Queue and Oban do, instead of running everything
 * SERIALIZABLE. `work` may run more than once, so it must do nothing outside the database.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DomainEvent } from '../../core/events.js';
import type { DomainEventBus } from '../../engine/ports.js';
import { isRetryablePostgresError } from './translate-postgres-error.js';
import type { PostgresDatabase } from './schema.js';

/** Where each database publishes its committed events (set by the store that opened it). */
const publishers = new WeakMap<Kysely<PostgresDatabase>, DomainEventBus>();
/** Events appended inside a running `runPostgresTransaction`, by its executor, waiting for COMMIT. */
const pendingByExecutor = new WeakMap<Kysely<PostgresDatabase>, DomainEvent[]>();

/** The `LISTEN/NOTIFY` channel on which every transaction that appended events announces its newest event id. */
export const eventsCommittedChannel = 'imagefleet_events';

/** Attempts per transaction before a serialization failure or deadlock is reported. */
export const maximumTransactionAttempts = 5;
/** Backoff before retry n (1-based) is up to `retryBaseDelayMs * 2^(n-1)`, jittered so the losers do not collide again, in ms. */
const retryBaseDelayMs = 5;

/** Makes `bus` receive every event committed on `db` from now on (one bus per database). */
export function publishCommittedPostgresEventsTo(db: Kysely<PostgresDatabase>, bus: DomainEventBus): void {
  publishers.set(db, bus);
}

/**
 * Publishes `event`, appended with `executor`, once it is committed:
 * - inside `runPostgresTransaction`: after its COMMIT, in append order; never if it rolls back
 *   (a retried attempt's events are dropped with the attempt);
 * - on the database itself (autocommit): now, since the insert has already committed;
 * - on any other executor: never, so nothing uncommitted is ever published.
 */
export function publishAfterPostgresCommit(executor: Kysely<PostgresDatabase>, event: DomainEvent): void {
  const pending = pendingByExecutor.get(executor);
  if (pending !== undefined) {
    pending.push(event);
    return;
  }
  publishers.get(executor)?.publish(event);
}

export interface PostgresTransactionOptions {
  /** Default `read committed`; `serializable` for work whose reads cannot all be locked. */
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
}

/**
 * Runs `work` in a transaction, again (up to `maximumTransactionAttempts`) when Postgres aborts it
 * with 40001 or 40P01; rolls back and rethrows anything else untranslated (callers translate).
 * Events `work` appends are published to the database's bus after the COMMIT, in order, and one
 * tiny `NOTIFY` (the newest event id; Postgres delivers it only on COMMIT) tells other processes
 * to read the log (`listen-for-events.ts`).
 */
export async function runPostgresTransaction<T>(db: Kysely<PostgresDatabase>, work: (executor: Transaction<PostgresDatabase>) => Promise<T>, options: PostgresTransactionOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const pending: DomainEvent[] = [];
    try {
      const result = await db
        .transaction()
        .setIsolationLevel(options.isolationLevel ?? 'read committed')
        .execute(async (executor) => {
          pendingByExecutor.set(executor, pending);
          try {
            const result = await work(executor);
            // Under the event-tail lock this transaction holds, max(id) is its own newest event.
            if (pending.length > 0) await sql`SELECT pg_notify(${eventsCommittedChannel}, (SELECT max(id) FROM events)::text)`.execute(executor);
            return result;
          } finally {
            pendingByExecutor.delete(executor);
          }
        });
      const bus = publishers.get(db);
      if (bus !== undefined) for (const event of pending) bus.publish(event);
      return result;
    } catch (error) {
      if (attempt >= maximumTransactionAttempts || !isRetryablePostgresError(error)) throw error;
      await delay(Math.random() * retryBaseDelayMs * 2 ** (attempt - 1));
    }
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
