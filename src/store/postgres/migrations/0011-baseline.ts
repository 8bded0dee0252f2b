/**
 * The Postgres schema at the logical version SQLite reaches with 0001–0011, in one baseline: there
 * is no Postgres database older than this to upgrade, so replaying eleven steps would only repeat
 * SQLite's history (its REAL money, 0/1 flags and JSON text) to undo it. Later changes get one
 * migration per adapter with the same number (docs/decisions/0039).
 *
 * Types: ids and sortable text keys `COLLATE "C"` (byte order, as SQLite compares, so keyset
 * pages agree whatever the database locale); times `bigint` epoch ms; money `bigint` micro-USD
 * (exact sums; SQLite keeps REAL USD); JSON `jsonb`; flags `boolean`. Hot, update-heavy tables (tasks, provider_state, request_log,
 * webhook_deliveries, events) get a lower fillfactor for HOT updates and more eager autovacuum.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE groups (
      id text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      created_at_ms bigint NOT NULL,
      updated_at_ms bigint NOT NULL
    );
    -- A backstop only: the rule (full Unicode case folding) is core/group-rules.ts, checked under a lock.
    CREATE UNIQUE INDEX groups_name_unique ON groups (lower(name));

    CREATE TABLE assets (
      id text COLLATE "C" PRIMARY KEY,
      sha256 text NOT NULL UNIQUE,
      media_type text NOT NULL,
      width integer NOT NULL,
      height integer NOT NULL,
      byte_size bigint NOT NULL,
      original_name text NOT NULL,
      blob_key text NOT NULL,
      created_at_ms bigint NOT NULL,
      source_sha256 text
    );
    CREATE INDEX assets_newest_first ON assets (created_at_ms, id);
    CREATE INDEX assets_by_source_sha256 ON assets (source_sha256);

    CREATE TABLE jobs (
      id text COLLATE "C" PRIMARY KEY,
      mode text NOT NULL,
      group_id text NOT NULL REFERENCES groups (id),
      name text NOT NULL,
      provider text NOT NULL,
      model text NOT NULL,
      provider_key text NOT NULL,
      settings jsonb NOT NULL,
      lane text NOT NULL,
      priority text NOT NULL,
      priority_rank integer NOT NULL,
      execution text NOT NULL,
      budget_micro_usd bigint,
      status text NOT NULL,
      status_reason text,
      estimated_cost_micro_usd bigint NOT NULL,
      spent_micro_usd bigint NOT NULL DEFAULT 0,
      task_count integer NOT NULL,
      last_claimed_at_ms bigint NOT NULL DEFAULT 0,
      queue_position integer NOT NULL DEFAULT 0,
      created_at_ms bigint NOT NULL,
      updated_at_ms bigint NOT NULL,
      finished_at_ms bigint
    ) WITH (fillfactor = 90);
    CREATE INDEX jobs_by_status ON jobs (status, priority_rank, last_claimed_at_ms);
    CREATE INDEX jobs_by_group ON jobs (group_id, created_at_ms);

    CREATE TABLE tasks (
      id text COLLATE "C" PRIMARY KEY,
      job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      provider_key text NOT NULL,
      key text NOT NULL,
      ordinal integer NOT NULL,
      prompt text NOT NULL,
      prompt_id text NOT NULL,
      reference_asset_ids jsonb NOT NULL,
      mask_asset_id text,
      image_count integer NOT NULL,
      seed bigint,
      set_index integer NOT NULL,
      variables jsonb NOT NULL,
      estimated_cost_micro_usd bigint NOT NULL,
      status text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      lease_expirations integer NOT NULL DEFAULT 0,
      lease_token text,
      lease_owner text,
      lease_expires_at_ms bigint,
      available_at_ms bigint NOT NULL,
      remote_handle text,
      run_online boolean NOT NULL DEFAULT false,
      last_error_code text,
      last_error_message text,
      cost_micro_usd bigint,
      created_at_ms bigint NOT NULL,
      updated_at_ms bigint NOT NULL,
      started_at_ms bigint,
      finished_at_ms bigint,
      CONSTRAINT tasks_job_ordinal_unique UNIQUE (job_id, ordinal)
    ) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
    CREATE INDEX tasks_claim ON tasks (job_id, status, ordinal);
    CREATE INDEX tasks_leases ON tasks (status, lease_expires_at_ms);
    CREATE INDEX tasks_running_by_provider ON tasks (status, provider_key);
    CREATE INDEX tasks_available ON tasks (status, available_at_ms);
    CREATE INDEX tasks_by_key ON tasks (key, status);
    CREATE INDEX tasks_status_images ON tasks (job_id, status, image_count);
    CREATE INDEX tasks_finished ON tasks (job_id, finished_at_ms, status, image_count);
    CREATE INDEX tasks_with_errors ON tasks (job_id, status) WHERE last_error_code IS NOT NULL;

    CREATE TABLE images (
      id text COLLATE "C" PRIMARY KEY,
      task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
      job_id text NOT NULL,
      group_id text NOT NULL,
      idx integer NOT NULL,
      file_key text NOT NULL,
      thumbnail_key text NOT NULL,
      media_type text NOT NULL,
      width integer NOT NULL,
      height integer NOT NULL,
      byte_size bigint NOT NULL,
      seed bigint,
      prompt text NOT NULL,
      prompt_id text NOT NULL,
      favorite boolean NOT NULL DEFAULT false,
      discarded boolean NOT NULL DEFAULT false,
      created_at_ms bigint NOT NULL,
      CONSTRAINT images_task_index_unique UNIQUE (task_id, idx)
    );
    CREATE INDEX images_by_group_keyset ON images (group_id, created_at_ms, id);
    CREATE INDEX images_by_job ON images (job_id, created_at_ms);

    CREATE TABLE provider_state (
      scope_key text PRIMARY KEY,
      paused_reason text,
      paused_until_ms bigint,
      paused_credential_fingerprint text,
      next_request_at_ms bigint NOT NULL DEFAULT 0,
      concurrency_limit double precision,
      updated_at_ms bigint NOT NULL
    ) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01);

    CREATE TABLE request_log (
      provider_key text NOT NULL,
      started_at_ms bigint NOT NULL
    ) WITH (autovacuum_vacuum_scale_factor = 0.02);
    CREATE INDEX request_log_window ON request_log (provider_key, started_at_ms);

    CREATE TABLE events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL,
      job_id text,
      task_id text,
      payload jsonb NOT NULL,
      created_at_ms bigint NOT NULL
    ) WITH (autovacuum_vacuum_scale_factor = 0.05);
    CREATE INDEX events_by_job ON events (job_id, id);
    CREATE INDEX events_by_time ON events (created_at_ms);

    CREATE TABLE webhook_endpoints (
      id text COLLATE "C" PRIMARY KEY,
      job_id text REFERENCES jobs (id) ON DELETE CASCADE,
      url text NOT NULL,
      secret text NOT NULL,
      event_types jsonb NOT NULL,
      created_at_ms bigint NOT NULL
    );
    CREATE INDEX webhook_endpoints_by_job ON webhook_endpoints (job_id);

    CREATE TABLE webhook_deliveries (
      id text COLLATE "C" PRIMARY KEY,
      endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_id bigint,
      event_type text NOT NULL,
      job_id text,
      task_id text,
      event_payload jsonb NOT NULL,
      body text,
      status text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at_ms bigint NOT NULL,
      lease_token text,
      lease_expires_at_ms bigint,
      last_attempt_at_ms bigint,
      last_status_code integer,
      last_error text,
      created_at_ms bigint NOT NULL,
      finished_at_ms bigint
    ) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05);
    CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (event_id, endpoint_id);
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_ms);
    CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (created_at_ms, id);

    CREATE TABLE server_secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at_ms bigint NOT NULL
    );

    CREATE TABLE web_sessions (
      id text COLLATE "C" PRIMARY KEY,
      created_at_ms bigint NOT NULL,
      expires_at_ms bigint NOT NULL,
      last_seen_at_ms bigint NOT NULL,
      revoked_at_ms bigint,
      user_agent_note text NOT NULL
    );
    CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at_ms);

    CREATE TABLE cli_sessions (
      session_id text COLLATE "C" PRIMARY KEY,
      job_id text,
      created_at text COLLATE "C" NOT NULL,
      working_directory text NOT NULL,
      output_directory text NOT NULL,
      layout text NOT NULL,
      parent_session_id text,
      settings jsonb NOT NULL,
      updated_at_ms bigint NOT NULL
    );
    CREATE INDEX cli_sessions_newest_first ON cli_sessions (created_at, session_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['cli_sessions', 'web_sessions', 'server_secrets', 'webhook_deliveries', 'webhook_endpoints', 'events', 'request_log', 'provider_state', 'images', 'tasks', 'jobs', 'assets', 'groups']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
