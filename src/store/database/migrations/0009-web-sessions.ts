import type { Kysely } from 'kysely';

/**
 * Web sessions (issue 21): `server_secrets` holds secrets generated once per data directory (the
 * key cookies are signed with lives here, not in a file beside the database, so a backup of the
 * database is the whole state); `web_sessions` is one row per browser sign-in, so a session can
 * expire, go idle and be revoked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('web_sessions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addColumn('expires_at_ms', 'integer', (column) => column.notNull())
    .addColumn('last_seen_at_ms', 'integer', (column) => column.notNull())
    .addColumn('revoked_at_ms', 'integer')
    .addColumn('user_agent_note', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_by_expiry').on('web_sessions').columns(['expires_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('web_sessions').ifExists().execute();
  await db.schema.dropTable('server_secrets').ifExists().execute();
}
