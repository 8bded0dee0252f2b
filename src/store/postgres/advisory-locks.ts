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
