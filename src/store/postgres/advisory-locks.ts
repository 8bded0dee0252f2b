/**
 * Transaction-scoped advisory locks (`pg_advisory_xact_lock`, released at COMMIT/ROLLBACK) for the
 * few decisions that read a whole set rather than rows `FOR UPDATE` can lock: a group name is
 * free, the Default group exists, the event log's tail. Keys are fixed 64-bit numbers, one per
 * purpose, in one place so two purposes never share a key by accident.
 */
import { sql, type Kysely } from 'kysely';
import type { PostgresDatabase } from './schema.js';

/** One key per purpose; the high 32 bits spell "imgf" so other applications' keys are unlikely to collide. */
export const advisoryLockKeys = {
  /** Group creation, renames and deletion: the name checks read every group. */
  groups: 0x696d_6766_0000_0001n,
  /** Appending events: held to COMMIT so event ids are handed out in commit order (docs/decisions/0039). */
  eventTail: 0x696d_6766_0000_0002n,
} as const;

/** Waits for the advisory lock `key` and holds it until the surrounding transaction ends. */
export async function takeTransactionLock(executor: Kysely<PostgresDatabase>, key: bigint): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(executor);
}

/**
 * Takes the lock of each limit scope (`provider:model@lane` keys and provider ids) in sorted order
 * and holds them to the end of the transaction. Every transaction that reads or writes a scope's
 * limit state (claims, request starts, completions growing concurrency, 429 holds, pauses) takes
 * them first, so RPM, concurrency and cool-downs are decided one transaction at a time per scope
 * across machines, and sorted order means two such transactions cannot deadlock. An advisory lock
 * per key rather than `provider_state … FOR UPDATE`, because a scope has no row until its first
 * hold or pause, and `FOR UPDATE` cannot lock a row that does not exist (docs/decisions/0039).
 */
export async function takeScopeLocks(executor: Kysely<PostgresDatabase>, scopeKeys: Iterable<string>): Promise<void> {
  const sorted = [...new Set(scopeKeys)].sort();
  for (const scopeKey of sorted) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`imagefleet:scope:${scopeKey}`}, 0))`.execute(executor);
  }
}
