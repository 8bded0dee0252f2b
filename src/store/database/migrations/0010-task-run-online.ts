import { sql, type Kysely } from 'kysely';

/**
 * `tasks.run_online`: a batch-lane task whose remote request failed and whose job retries failed
 * batch requests online; its next attempts call the provider directly under the online limits.
 * Until now that choice was stored as a fake remote handle (`imagefleet:run-online`); existing
 * rows carrying it move to the column, and the handle goes (it never named a remote job).
 */
const legacyRunOnlineHandle = 'imagefleet:run-online';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('run_online', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE tasks SET run_online = 1, remote_handle = NULL WHERE remote_handle = ${legacyRunOnlineHandle}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE tasks SET remote_handle = ${legacyRunOnlineHandle} WHERE run_online = 1`.execute(db);
  await db.schema.alterTable('tasks').dropColumn('run_online').execute();
}
