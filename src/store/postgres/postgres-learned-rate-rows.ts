/**
 * Reads and writes the Postgres `learned_rates` rows (migration 0012): one learned-rate controller
 * state per limit key, as `jsonb`; the twin of ../database/learned-rate-rows.ts. Rule-free:
 * engine/limits/learned-pacing.ts decides every new state. Callers that write hold the limit key's
 * scope lock (advisory-locks.ts), so read-modify-write is exact across machines.
 */
import type { Kysely } from 'kysely';
import type { StoredLearnedRate } from '../../engine/limits/learned-pacing.js';
import type { LearnedRateState } from '../../engine/learned-rate/learned-rate.js';
import type { PostgresDatabase } from './schema.js';

/** The stored learned states of `limitKeys`, by limit key. A row of an unknown format is skipped (the key starts over). */
export async function readPostgresLearnedRates(transaction: Kysely<PostgresDatabase>, limitKeys: readonly string[]): Promise<Map<string, StoredLearnedRate>> {
  if (limitKeys.length === 0) return new Map();
  return toMap(await transaction.selectFrom('learned_rates').selectAll().where('limit_key', 'in', [...new Set(limitKeys)]).execute());
}

/** Every stored learned state, by limit key (status pages, the idle engine's wake-up). */
export async function readAllPostgresLearnedRates(db: Kysely<PostgresDatabase>): Promise<Map<string, StoredLearnedRate>> {
  return toMap(await db.selectFrom('learned_rates').selectAll().execute());
}

/** Writes one key's learned state. */
export async function writePostgresLearnedRate(transaction: Kysely<PostgresDatabase>, limitKey: string, learned: StoredLearnedRate, nowMs: number): Promise<void> {
  const values = { credential_fingerprint: learned.credentialFingerprint ?? null, state: JSON.stringify(learned.state), updated_at_ms: nowMs };
  await transaction
    .insertInto('learned_rates')
    .values({ limit_key: limitKey, ...values })
    .onConflict((conflict) => conflict.column('limit_key').doUpdateSet(values))
    .execute();
}

function toMap(rows: ReadonlyArray<{ limit_key: string; credential_fingerprint: string | null; state: unknown }>): Map<string, StoredLearnedRate> {
  const learned = new Map<string, StoredLearnedRate>();
  for (const row of rows) {
    const state = row.state as LearnedRateState | null;
    if (state !== null && typeof state === 'object' && state.version === 1) learned.set(row.limit_key, { credentialFingerprint: row.credential_fingerprint ?? undefined, state });
  }
  return learned;
}
