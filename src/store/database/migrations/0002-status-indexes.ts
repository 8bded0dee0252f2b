import { sql, type Kysely } from 'kysely';

/**
 * Covering indexes for the job status report: image counts per status are summed from the index
 * alone (no table reads), recent completions (for the rate) are a range scan, and the error
 * summary reads only tasks that carry an error (a partial index), not a fresh job's 100,000.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('tasks_status_images').on('tasks').columns(['job_id', 'status', 'image_count']).execute();
  await db.schema.createIndex('tasks_finished').on('tasks').columns(['job_id', 'finished_at_ms', 'status', 'image_count']).execute();
  await sql`CREATE INDEX tasks_with_errors ON tasks (job_id, status) WHERE last_error_code IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tasks_with_errors').ifExists().execute();
  await db.schema.dropIndex('tasks_finished').ifExists().execute();
  await db.schema.dropIndex('tasks_status_images').ifExists().execute();
}
