import { sql, type Kysely } from 'kysely';

/**
 * Initial schema (DESIGN §4). Times are epoch milliseconds (INTEGER). JSON columns are TEXT.
 * Never edit a released migration: add a new one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .execute();
  await sql`CREATE UNIQUE INDEX groups_name_unique ON groups (name COLLATE NOCASE)`.execute(db);

  await db.schema
    .createTable('assets')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sha256', 'text', (column) => column.notNull().unique())
    .addColumn('media_type', 'text', (column) => column.notNull())
    .addColumn('width', 'integer', (column) => column.notNull())
    .addColumn('height', 'integer', (column) => column.notNull())
    .addColumn('byte_size', 'integer', (column) => column.notNull())
    .addColumn('original_name', 'text', (column) => column.notNull())
    .addColumn('blob_key', 'text', (column) => column.notNull())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('group_id', 'text', (column) => column.notNull().references('groups.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    // `provider:model`, the unit of rate limits and concurrency.
    .addColumn('provider_key', 'text', (column) => column.notNull())
    .addColumn('settings_json', 'text', (column) => column.notNull())
    .addColumn('lane', 'text', (column) => column.notNull())
    .addColumn('priority', 'text', (column) => column.notNull())
    .addColumn('priority_rank', 'integer', (column) => column.notNull())
    .addColumn('execution', 'text', (column) => column.notNull())
    .addColumn('budget_usd', 'real')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('estimated_cost_usd', 'real', (column) => column.notNull())
    .addColumn('spent_usd', 'real', (column) => column.notNull().defaultTo(0))
    .addColumn('task_count', 'integer', (column) => column.notNull())
    // Fairness: jobs of equal priority take turns, least recently served first.
    .addColumn('last_claimed_at_ms', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .addColumn('finished_at_ms', 'integer')
    .execute();
  await db.schema.createIndex('jobs_by_status').on('jobs').columns(['status', 'priority_rank', 'last_claimed_at_ms']).execute();
  await db.schema.createIndex('jobs_by_group').on('jobs').columns(['group_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('job_id', 'text', (column) => column.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('provider_key', 'text', (column) => column.notNull())
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('ordinal', 'integer', (column) => column.notNull())
    .addColumn('prompt', 'text', (column) => column.notNull())
    .addColumn('prompt_id', 'text', (column) => column.notNull())
    .addColumn('reference_asset_ids_json', 'text', (column) => column.notNull())
    .addColumn('mask_asset_id', 'text')
    .addColumn('image_count', 'integer', (column) => column.notNull())
    .addColumn('seed', 'integer')
    .addColumn('set_index', 'integer', (column) => column.notNull())
    .addColumn('variables_json', 'text', (column) => column.notNull())
    .addColumn('estimated_cost_usd', 'real', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('lease_expirations', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('lease_token', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at_ms', 'integer')
    .addColumn('available_at_ms', 'integer', (column) => column.notNull())
    .addColumn('remote_handle', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_message', 'text')
    .addColumn('cost_usd', 'real')
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .addColumn('started_at_ms', 'integer')
    .addColumn('finished_at_ms', 'integer')
    .addUniqueConstraint('tasks_job_ordinal_unique', ['job_id', 'ordinal'])
    .execute();
  await db.schema.createIndex('tasks_claim').on('tasks').columns(['job_id', 'status', 'ordinal']).execute();
  await db.schema.createIndex('tasks_leases').on('tasks').columns(['status', 'lease_expires_at_ms']).execute();
  await db.schema.createIndex('tasks_running_by_provider').on('tasks').columns(['status', 'provider_key']).execute();
  await db.schema.createIndex('tasks_available').on('tasks').columns(['status', 'available_at_ms']).execute();
  await db.schema.createIndex('tasks_by_key').on('tasks').columns(['key', 'status']).execute();

  await db.schema
    .createTable('images')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('task_id', 'text', (column) => column.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('job_id', 'text', (column) => column.notNull())
    .addColumn('group_id', 'text', (column) => column.notNull())
    .addColumn('idx', 'integer', (column) => column.notNull())
    .addColumn('file_key', 'text', (column) => column.notNull())
    .addColumn('thumbnail_key', 'text', (column) => column.notNull())
    .addColumn('media_type', 'text', (column) => column.notNull())
    .addColumn('width', 'integer', (column) => column.notNull())
    .addColumn('height', 'integer', (column) => column.notNull())
    .addColumn('byte_size', 'integer', (column) => column.notNull())
    .addColumn('seed', 'integer')
    .addColumn('prompt', 'text', (column) => column.notNull())
    .addColumn('prompt_id', 'text', (column) => column.notNull())
    .addColumn('favorite', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('discarded', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .addUniqueConstraint('images_task_index_unique', ['task_id', 'idx'])
    .execute();
  await db.schema.createIndex('images_by_group').on('images').columns(['group_id', 'created_at_ms']).execute();
  await db.schema.createIndex('images_by_job').on('images').columns(['job_id', 'created_at_ms']).execute();

  // One row per provider (`gemini`) or provider key (`gemini:model`): pauses, pacing, adaptive concurrency.
  await db.schema
    .createTable('provider_state')
    .addColumn('scope_key', 'text', (column) => column.primaryKey())
    .addColumn('paused_reason', 'text')
    .addColumn('paused_until_ms', 'integer')
    .addColumn('paused_credential_fingerprint', 'text')
    .addColumn('next_request_at_ms', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('concurrency_limit', 'real')
    .addColumn('updated_at_ms', 'integer', (column) => column.notNull())
    .execute();

  // Sliding-window log of request starts per provider key: the RPM limit holds across processes.
  await db.schema
    .createTable('request_log')
    .addColumn('provider_key', 'text', (column) => column.notNull())
    .addColumn('started_at_ms', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('request_log_window').on('request_log').columns(['provider_key', 'started_at_ms']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('job_id', 'text')
    .addColumn('task_id', 'text')
    .addColumn('payload_json', 'text', (column) => column.notNull())
    .addColumn('created_at_ms', 'integer', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('events_by_job').on('events').columns(['job_id', 'id']).execute();
  await db.schema.createIndex('events_by_time').on('events').columns(['created_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['events', 'request_log', 'provider_state', 'images', 'tasks', 'jobs', 'assets', 'groups']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
