import type { Kysely } from 'kysely';

/**
 * CLI session records (issue 16, DESIGN §9): what a CLI session was started with (output folder,
 * layout, settings as given) moves from `{dataDir}/cli-sessions/*.json` into the database, so every
 * process and machine sharing the store sees the same sessions and a backup of the database is the
 * whole state. Old files are imported on first use (docs/decisions/0034).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cli_sessions')
    .addColumn('session_id', 'text', (column) => column.primaryKey())
    .addColumn('job_id', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('working_directory', 'text', (column) => column.notNull())
    .addColumn('output_directory', 'text', (column) => column.notNull())
    .addColumn('layout', 'text', (column) => column.notNull())
    .addColumn('parent_session_id', 'text')
    .addColumn('settings_json', 'text', (column) => column.notNull())
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('cli_sessions_newest_first').on('cli_sessions').columns(['created_at', 'session_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cli_sessions').ifExists().execute();
}
