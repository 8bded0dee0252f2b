import type { Kysely } from 'kysely';

/**
 * `assets.source_sha256`: the SHA-256 of the bytes the user uploaded. Stored references are
 * re-encoded (metadata stripped), so `sha256` never matches the user's file; this column lets an
 * export name the original file by a hash the user can check, and lets a browser that hashed a
 * file before sending it learn that the server has it already (`POST /api/uploads/check`).
 * Rows from before this migration keep NULL until the same file is uploaded again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('assets').addColumn('source_sha256', 'text').execute();
  await db.schema.createIndex('assets_by_source_sha256').on('assets').column('source_sha256').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('assets_by_source_sha256').ifExists().execute();
  await db.schema.alterTable('assets').dropColumn('source_sha256').execute();
}
