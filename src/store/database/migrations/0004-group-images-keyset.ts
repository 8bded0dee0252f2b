import { sql, type Kysely } from 'kysely';

/**
 * The group gallery (`GET /api/groups/{id}/images`) pages newest first by (created_at_ms, id). With
 * the id in the index, a page is one backwards range scan of the group's entries even when many
 * images share a millisecond (a task writes several at once), never a sort of the whole group.
 * The old (group_id, created_at_ms) index is a prefix of this one, so it goes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX images_by_group_keyset ON images (group_id, created_at_ms, id)`.execute(db);
  await db.schema.dropIndex('images_by_group').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('images_by_group').ifNotExists().on('images').columns(['group_id', 'created_at_ms']).execute();
  await db.schema.dropIndex('images_by_group_keyset').ifExists().execute();
}
