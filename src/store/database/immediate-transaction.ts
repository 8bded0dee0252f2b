/**
 * Write transactions that take SQLite's write lock up front.
 *
 * Kysely's `transaction()` issues a plain `BEGIN` (deferred). In WAL mode a deferred transaction
 * that reads and then writes fails at once with SQLITE_BUSY (no busy-timeout wait) if another
 * process committed in between. `BEGIN IMMEDIATE` takes the write lock first, waiting up to
 * `busy_timeout`, so read-check-write sequences (unique names, "is the group empty?") are safe
 * across processes.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT` on the single connection; rolls back if it throws.
 * `work` must use the executor it is given (other queries on `db` wait for the connection) and must
 * not start a nested `transaction()`.
 */
export async function runImmediateTransaction<T>(db: Kysely<Database>, work: (executor: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await rollbackQuietly(connection);
      throw error;
    }
    try {
      await sql`COMMIT`.execute(connection);
    } catch (error) {
      await rollbackQuietly(connection);
      throw error;
    }
    return result;
  });
}

// The original error is what matters; a rollback failing (e.g. SQLite already rolled back after
// SQLITE_FULL) must not hide it.
async function rollbackQuietly(connection: Kysely<Database>): Promise<void> {
  try {
    await sql`ROLLBACK`.execute(connection);
  } catch {
    // Nothing to undo.
  }
}
