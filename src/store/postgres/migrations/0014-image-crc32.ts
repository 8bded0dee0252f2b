import { sql, type Kysely } from 'kysely';

/**
 * The twin of SQLite's 0014 (docs/decisions/0049): the CRC-32 of each output image's bytes, taken
 * when it was written, so a ZIP download need not checksum every byte again. `bigint` because a
 * CRC-32 is an unsigned 32-bit number; null for images written before it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE images ADD COLUMN crc32 bigint`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE images DROP COLUMN crc32`.execute(db);
}
