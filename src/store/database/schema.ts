/** Kysely table types: the database as it is, in snake_case. Repositories map rows to domain types. */
import type { ColumnType, Generated } from 'kysely';
import type { ServerSecretsTable, WebSessionsTable } from '../shared/session-tables.js';
export type { ServerSecretsTable, WebSessionsTable } from '../shared/session-tables.js';

export interface GroupsTable {
  id: string;
  name: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface AssetsTable {
  id: string;
  sha256: string;
  media_type: string;
  width: number;
  height: number;
  byte_size: number;
  original_name: string;
  blob_key: string;
  created_at_ms: number;
  /** SHA-256 of the bytes as uploaded (before re-encoding); null for rows older than migration 0006. */
  source_sha256: string | null;
}

export interface JobsTable {
  id: string;
  mode: string;
  group_id: string;
  name: string;
  provider: string;
  model: string;
  provider_key: string;
  settings_json: string;
  lane: string;
  priority: string;
  priority_rank: number;
  execution: string;
  budget_usd: number | null;
  status: string;
  status_reason: string | null;
  estimated_cost_usd: number;
  spent_usd: Generated<number>;
  task_count: number;
  last_claimed_at_ms: Generated<number>;
  /** Place within its priority class set by a queue reorder; 0 = not placed (takes turns). Added by 0003. */
  queue_position: Generated<number>;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

export interface TasksTable {
  id: string;
  job_id: string;
  provider_key: string;
  key: string;
  ordinal: number;
  prompt: string;
  prompt_id: string;
  reference_asset_ids_json: string;
  mask_asset_id: string | null;
  image_count: number;
  seed: number | null;
  set_index: number;
  variables_json: string;
  estimated_cost_usd: number;
  status: string;
  attempts: Generated<number>;
  lease_expirations: Generated<number>;
  lease_token: string | null;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  available_at_ms: number;
  remote_handle: string | null;
  /** 1 = a batch-lane task retried online (migration 0010); 0 otherwise. */
  run_online: Generated<number>;
  last_error_code: string | null;
  last_error_message: string | null;
  cost_usd: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  started_at_ms: number | null;
  finished_at_ms: number | null;
}

export interface ImagesTable {
  id: string;
  task_id: string;
  job_id: string;
  group_id: string;
  idx: number;
  file_key: string;
  thumbnail_key: string;
  media_type: string;
  width: number;
  height: number;
  byte_size: number;
  /** CRC-32 of the file's bytes, unsigned (migration 0014); null for images written before it. Optional on insert. */
  crc32: ColumnType<number | null, number | null | undefined, number | null>;
  seed: number | null;
  prompt: string;
  prompt_id: string;
  favorite: Generated<number>;
  discarded: Generated<number>;
  created_at_ms: number;
}

export interface ProviderStateTable {
  scope_key: string;
  paused_reason: string | null;
  paused_until_ms: number | null;
  paused_credential_fingerprint: string | null;
  next_request_at_ms: Generated<number>;
  concurrency_limit: number | null;
  updated_at_ms: number;
}

export interface RequestLogTable {
  provider_key: string;
  started_at_ms: number;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  job_id: string | null;
  task_id: string | null;
  payload_json: string;
  created_at_ms: number;
}

/** A URL a job (or a test event) sends webhooks to. Added by 0008. */
export interface WebhookEndpointsTable {
  id: string;
  /** Null for a "send test event" endpoint. */
  job_id: string | null;
  url: string;
  /** `whsec_…`; never leaves the store except to sign. */
  secret: string;
  event_types_json: string;
  created_at_ms: number;
}

/** The webhook outbox: one row per event × endpoint. Added by 0008. */
export interface WebhookDeliveriesTable {
  /** The `webhook-id` header: the same on every attempt, so receivers de-duplicate. */
  id: string;
  endpoint_id: string;
  /** The events row it reports; null for a test event. */
  event_id: number | null;
  event_type: string;
  job_id: string | null;
  task_id: string | null;
  event_payload_json: string;
  /** The exact body sent, fixed at the first attempt so every retry sends the same bytes. */
  body: string | null;
  /** `pending`, `delivered` or `failed` (retries used up). */
  status: string;
  attempts: Generated<number>;
  next_attempt_at_ms: number;
  lease_token: string | null;
  lease_expires_at_ms: number | null;
  last_attempt_at_ms: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at_ms: number;
  finished_at_ms: number | null;
}

/** One CLI session's record (migration 0011; the port's `CliSessionRecord`). */
export interface CliSessionsTable {
  session_id: string;
  job_id: string | null;
  /** ISO 8601 text, as the CLI wrote it; sorts newest first as text. */
  created_at: string;
  working_directory: string;
  output_directory: string;
  layout: string;
  parent_session_id: string | null;
  /** The settings as given, JSON. */
  settings_json: string;
  updated_at_ms: number;
}

/** One limit key's learned-rate controller state (migration 0012, docs/decisions/0040). */
export interface LearnedRatesTable {
  /** Limit key text (`provider:model`). */
  limit_key: string;
  /** Fingerprint of the credentials the state was learned under; null when the provider has none. */
  credential_fingerprint: string | null;
  /** `LearnedRateState` as JSON. */
  state_json: string;
  updated_at_ms: number;
}

export interface Database {
  groups: GroupsTable;
  assets: AssetsTable;
  jobs: JobsTable;
  tasks: TasksTable;
  images: ImagesTable;
  provider_state: ProviderStateTable;
  request_log: RequestLogTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  server_secrets: ServerSecretsTable;
  web_sessions: WebSessionsTable;
  cli_sessions: CliSessionsTable;
  learned_rates: LearnedRatesTable;
}
