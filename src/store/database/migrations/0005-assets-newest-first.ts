import type { Kysely } from 'kysely';

/**
 * `assets (created_at_ms, id)`: the studio's "earlier uploads" picker pages through assets newest
 * first with a keyset cursor; without this index every page would sort the whole table, which an
 * automatic job of 20,000 references makes large.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('assets_newest_first').on('assets').columns(['created_at_ms', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('assets_newest_first').ifExists().execute();
}
