import { sql, type Kysely } from 'kysely';

/**
 * Learned rates (issue 18, docs/decisions/0040), the twin of SQLite's 0012: one learned-rate
 * controller state per limit key, as `jsonb`, with the fingerprint of the credentials it was learned
 * under (another key is another quota: a changed fingerprint starts over). Every machine sharing the
 * database reads and writes the same row inside its claim and outcome transactions, under the limit
 * key's scope lock, so all pace on one schedule and learn one quota. Updated on every request start,
 * hence the lower fillfactor and eager autovacuum of the other hot limit tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE learned_rates (
      limit_key text PRIMARY KEY,
      credential_fingerprint text,
      state jsonb NOT NULL,
      updated_at_ms bigint NOT NULL
    ) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('learned_rates').ifExists().execute();
}
