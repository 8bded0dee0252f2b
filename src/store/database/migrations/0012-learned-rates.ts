import type { Kysely } from 'kysely';

/**
 * Learned rates (issue 18, docs/decisions/0040): one learned-rate controller state per limit key,
 * as JSON, with the fingerprint of the credentials it was learned under (another key is another
 * quota: a changed fingerprint starts over). Every process sharing the database reads and writes
 * the same row inside its claim and outcome transactions, so they pace on one schedule and learn
 * one quota, and a restart continues from what was learned.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('learned_rates')
    .addColumn('limit_key', 'text', (column) => column.primaryKey())
    .addColumn('credential_fingerprint', 'text')
    .addColumn('state_json', 'text', (column) => column.notNull())
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('learned_rates').ifExists().execute();
}
