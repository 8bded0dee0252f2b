/**
 * Write transactions that take SQLite's write lock up front.
 *
 * Kysely's `transaction()` issues a plain `BEGIN` (deferred). In WAL mode a deferred transaction
 * that reads and then writes fails at once with SQLITE_BUSY (no busy-timeout wait) if another
 * process committed in between. `BEGIN IMMEDIATE` takes the write lock first, waiting up to
 * `busy_timeout`, so read-check-write sequences (unique names, "is the group empty?") are safe
 * across processes.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DomainEvent } from '../../core/events.js';
import type { DomainEventBus } from '../../engine/ports.js';
import type { Database } from './schema.js';

// Compiled once: two of them per transaction, and the `sql` template builds and compiles anew each time.
const beginImmediate = CompiledQuery.raw('BEGIN IMMEDIATE');
const commit = CompiledQuery.raw('COMMIT');
const rollback = CompiledQuery.raw('ROLLBACK');

/** Where each database publishes its committed events (set by the store that opened it). */
const publishers = new WeakMap<Kysely<Database>, DomainEventBus>();
/** Events appended inside a running `runImmediateTransaction`, by its executor, waiting for COMMIT. */
const pendingByExecutor = new WeakMap<Kysely<Database>, DomainEvent[]>();

/** Makes `bus` receive every event committed on `db` from now on (one bus per database). */
export function publishCommittedEventsTo(db: Kysely<Database>, bus: DomainEventBus): void {
  publishers.set(db, bus);
}

/**
 * Publishes `event`, appended with `executor`, once it is committed (DESIGN §5.8):
 * - inside `runImmediateTransaction`: after its COMMIT, in append order; never if it rolls back;
 * - on the database itself (autocommit): now, since the insert has already committed;
 * - on any other executor (a Kysely `transaction()`, whose commit this module cannot see): never,
 *   so nothing uncommitted is ever published (readers of the log still see it).
 */
export function publishAfterCommit(executor: Kysely<Database>, event: DomainEvent): void {
  const pending = pendingByExecutor.get(executor);
  if (pending !== undefined) {
    pending.push(event);
    return;
  }
  publishers.get(executor)?.publish(event);
}

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT` on the single connection; rolls back if it throws.
 * Events `work` appends are published to the database's bus after the COMMIT, dropped on rollback.
 * `work` must use the executor it is given (other queries on `db` wait for the connection) and must
 * not start a nested `transaction()`.
 */
export async function runImmediateTransaction<T>(db: Kysely<Database>, work: (executor: Kysely<Database>) => Promise<T>): Promise<T> {
  const committed = await db.connection().execute(async (connection) => {
    await connection.executeQuery(beginImmediate);
    const pending: DomainEvent[] = [];
    pendingByExecutor.set(connection, pending);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      pendingByExecutor.delete(connection);
      await rollbackQuietly(connection);
      throw error;
    }
    pendingByExecutor.delete(connection);
    try {
      await connection.executeQuery(commit);
    } catch (error) {
      await rollbackQuietly(connection);
      throw error;
    }
    return { result, events: pending };
  });
  // After the connection is handed back, so a listener that reads the store does not wait on it.
  const bus = publishers.get(db);
  if (bus !== undefined) for (const event of committed.events) bus.publish(event);
  return committed.result;
}

// The original error is what matters; a rollback failing (e.g. SQLite already rolled back after
// SQLITE_FULL) must not hide it.
async function rollbackQuietly(connection: Kysely<Database>): Promise<void> {
  try {
    await connection.executeQuery(rollback);
  } catch {
    // Nothing to undo.
  }
}
