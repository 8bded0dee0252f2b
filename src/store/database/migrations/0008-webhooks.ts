import type { Kysely } from 'kysely';

/**
 * Webhooks (issue 19): `webhook_endpoints` are the URLs (with their signing secrets and event
 * lists) a job named; `webhook_deliveries` is the outbox: one row per event × endpoint, written in
 * the transaction that appends the event, then claimed with a lease and delivered at least once.
 * An endpoint without a job is a "send test event" target.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('job_id', 'text', (column) => column.references('jobs.id').onDelete('cascade'))
    .addColumn('url', 'text', (column) => column.notNull())
    .addColumn('secret', 'text', (column) => column.notNull())
    .addColumn('event_types_json', 'text', (column) => column.notNull())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_by_job').on('webhook_endpoints').columns(['job_id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('endpoint_id', 'text', (column) => column.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('event_id', 'integer')
    .addColumn('event_type', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('task_id', 'text')
    .addColumn('event_payload_json', 'text', (column) => column.notNull())
    .addColumn('body', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('next_attempt_at_ms', 'integer', (column) => column.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('lease_expires_at_ms', 'integer')
    .addColumn('last_attempt_at_ms', 'integer')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addColumn('finished_at_ms', 'integer')
    .execute();
  // One delivery per event and endpoint, so a repeated enqueue cannot send an event twice.
  await db.schema.createIndex('webhook_deliveries_once').on('webhook_deliveries').columns(['event_id', 'endpoint_id']).unique().execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at_ms']).execute();
  await db.schema.createIndex('webhook_deliveries_newest').on('webhook_deliveries').columns(['created_at_ms', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
}
