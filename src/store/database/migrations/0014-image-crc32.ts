import type { Kysely } from 'kysely';

/**
 * The CRC-32 of each output image's bytes (issue 20, docs/decisions/0049), taken once when the
 * engine writes the file, so a ZIP download copies the file into the archive without reading every
 * byte through a checksum again. Null for images written before this migration: the ZIP writer
 * computes theirs while sending, as it always did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('images').addColumn('crc32', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('images').dropColumn('crc32').execute();
}
