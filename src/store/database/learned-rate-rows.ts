/**
 * Reads and writes the `learned_rates` rows (migration 0012): one learned-rate controller state per
 * limit key, as JSON. Rule-free: engine/limits/learned-pacing.ts decides every new state.
 */
import type { Kysely } from 'kysely';
import type { StoredLearnedRate } from '../../engine/limits/learned-pacing.js';
import type { LearnedRateState } from '../../engine/learned-rate/learned-rate.js';
import type { Database } from './schema.js';

/** The stored learned states of `limitKeys`, by limit key. A row whose JSON does not parse is skipped (the key starts over). */
export async function readLearnedRates(transaction: Kysely<Database>, limitKeys: readonly string[]): Promise<Map<string, StoredLearnedRate>> {
  const learned = new Map<string, StoredLearnedRate>();
  if (limitKeys.length === 0) return learned;
  const rows = await transaction.selectFrom('learned_rates').selectAll().where('limit_key', 'in', [...limitKeys]).execute();
  for (const row of rows) {
    const state = parseState(row.state_json);
    if (state) learned.set(row.limit_key, { credentialFingerprint: row.credential_fingerprint ?? undefined, state });
  }
  return learned;
}

/** Every stored learned state, by limit key (status pages, the idle engine's wake-up). */
export async function readAllLearnedRates(db: Kysely<Database>): Promise<Map<string, StoredLearnedRate>> {
  const rows = await db.selectFrom('learned_rates').selectAll().execute();
  const learned = new Map<string, StoredLearnedRate>();
  for (const row of rows) {
    const state = parseState(row.state_json);
    if (state) learned.set(row.limit_key, { credentialFingerprint: row.credential_fingerprint ?? undefined, state });
  }
  return learned;
}

/** Writes one key's learned state. */
export async function writeLearnedRate(transaction: Kysely<Database>, limitKey: string, learned: StoredLearnedRate, nowMs: number): Promise<void> {
  const values = { credential_fingerprint: learned.credentialFingerprint ?? null, state_json: JSON.stringify(learned.state), updated_at_ms: nowMs };
  await transaction
    .insertInto('learned_rates')
    .values({ limit_key: limitKey, ...values })
    .onConflict((conflict) => conflict.column('limit_key').doUpdateSet(values))
    .execute();
}

function parseState(json: string): LearnedRateState | undefined {
  try {
    const value = JSON.parse(json) as LearnedRateState;
    return value.version === 1 ? value : undefined;
  } catch {
    return undefined;
  }
}
