/**
 * Postgres row → domain mappers for the tables whose column types differ from SQLite's (money in
 * micro-USD, `jsonb`, `boolean`); groups and assets have the same shape and use
 * ../database/row-mappers.ts. Enum columns are checked the same way: an unknown value fails loudly.
 */
import type { Selectable } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import type { GeneratedImage } from '../../core/image.js';
import { executionModes, jobModes, jobPriorities, jobStatuses, lanes, type GenerationSettings, type Job } from '../../core/job.js';
import { taskStatuses, type Task } from '../../core/task.js';
import { fromMicroUsd } from './money.js';
import type { ImagesTable, JobsTable, TasksTable } from './schema.js';

/** Maps a `jobs` row to a `Job`; throws `internal` when a stored enum value is unknown to this code. */
export function postgresRowToJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    mode: oneOf(jobModes, row.mode, 'jobs.mode'),
    groupId: row.group_id,
    name: row.name,
    provider: row.provider,
    model: row.model,
    settings: row.settings as GenerationSettings,
    lane: oneOf(lanes, row.lane, 'jobs.lane'),
    priority: oneOf(jobPriorities, row.priority, 'jobs.priority'),
    execution: oneOf(executionModes, row.execution, 'jobs.execution'),
    budgetUsd: row.budget_micro_usd === null ? undefined : fromMicroUsd(row.budget_micro_usd),
    status: oneOf(jobStatuses, row.status, 'jobs.status'),
    statusReason: row.status_reason ?? undefined,
    estimatedCostUsd: fromMicroUsd(row.estimated_cost_micro_usd),
    spentUsd: fromMicroUsd(row.spent_micro_usd),
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    finishedAtMs: row.finished_at_ms ?? undefined,
  };
}

/** Maps a `tasks` row to a `Task`. Lease columns are queue-internal and deliberately not exposed. */
export function postgresRowToTask(row: Selectable<TasksTable>): Task {
  return {
    id: row.id,
    jobId: row.job_id,
    key: row.key,
    ordinal: row.ordinal,
    prompt: row.prompt,
    promptId: row.prompt_id,
    referenceAssetIds: row.reference_asset_ids,
    maskAssetId: row.mask_asset_id ?? undefined,
    imageCount: row.image_count,
    seed: row.seed ?? undefined,
    setIndex: row.set_index,
    variables: row.variables,
    estimatedCostUsd: fromMicroUsd(row.estimated_cost_micro_usd),
    status: oneOf(taskStatuses, row.status, 'tasks.status'),
    attempts: row.attempts,
    leaseExpirations: row.lease_expirations,
    lastErrorCode: row.last_error_code ?? undefined,
    lastErrorMessage: row.last_error_message ?? undefined,
    availableAtMs: row.available_at_ms,
    remoteHandle: row.remote_handle ?? undefined,
    runOnline: row.run_online ? true : undefined,
    costUsd: row.cost_micro_usd === null ? undefined : fromMicroUsd(row.cost_micro_usd),
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    finishedAtMs: row.finished_at_ms ?? undefined,
    startedAtMs: row.started_at_ms ?? undefined,
  };
}

/** Maps an `images` row to a `GeneratedImage` (`idx` → `index`). */
export function postgresRowToImage(row: Selectable<ImagesTable>): GeneratedImage {
  return {
    id: row.id,
    taskId: row.task_id,
    jobId: row.job_id,
    groupId: row.group_id,
    index: row.idx,
    fileKey: row.file_key,
    thumbnailKey: row.thumbnail_key,
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    byteSize: row.byte_size,
    crc32: row.crc32 ?? undefined,
    seed: row.seed ?? undefined,
    prompt: row.prompt,
    promptId: row.prompt_id,
    favorite: row.favorite,
    discarded: row.discarded,
    createdAtMs: row.created_at_ms,
  };
}

// A value outside the closed set means the row was written by other (newer or broken) code.
function oneOf<T extends string>(allowed: readonly T[], value: string, column: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ImagefleetError('internal', `Stored value "${value}" in ${column} is not one this version of imagefleet knows.`);
}
