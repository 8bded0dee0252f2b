/**
 * Row → domain mappers. The database speaks snake_case, integers for booleans, NULL and JSON text;
 * the domain speaks camelCase, booleans, `undefined` and objects. Every repository (and the queue)
 * maps through here so the two never drift apart.
 */
import type { Selectable } from 'kysely';
import type { Asset } from '../../core/asset.js';
import { ImagefleetError } from '../../core/errors.js';
import type { Group } from '../../core/group.js';
import type { GeneratedImage } from '../../core/image.js';
import {
  executionModes,
  jobModes,
  jobPriorities,
  jobStatuses,
  lanes,
  type GenerationSettings,
  type Job,
} from '../../core/job.js';
import { taskStatuses, type Task } from '../../core/task.js';
import type { AssetsTable, GroupsTable, ImagesTable, JobsTable, TasksTable } from './schema.js';

/** Maps a `jobs` row to a `Job`; throws `internal` when a stored enum value is unknown to this code. */
export function rowToJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    mode: oneOf(jobModes, row.mode, 'jobs.mode'),
    groupId: row.group_id,
    name: row.name,
    provider: row.provider,
    model: row.model,
    settings: parseJson<GenerationSettings>(row.settings_json, 'jobs.settings_json'),
    lane: oneOf(lanes, row.lane, 'jobs.lane'),
    priority: oneOf(jobPriorities, row.priority, 'jobs.priority'),
    execution: oneOf(executionModes, row.execution, 'jobs.execution'),
    budgetUsd: nullToUndefined(row.budget_usd),
    status: oneOf(jobStatuses, row.status, 'jobs.status'),
    statusReason: nullToUndefined(row.status_reason),
    estimatedCostUsd: row.estimated_cost_usd,
    spentUsd: row.spent_usd,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    finishedAtMs: nullToUndefined(row.finished_at_ms),
  };
}

/** Maps a `tasks` row to a `Task`. Lease columns are queue-internal and deliberately not exposed. */
export function rowToTask(row: Selectable<TasksTable>): Task {
  return {
    id: row.id,
    jobId: row.job_id,
    key: row.key,
    ordinal: row.ordinal,
    prompt: row.prompt,
    promptId: row.prompt_id,
    referenceAssetIds: parseJson<string[]>(row.reference_asset_ids_json, 'tasks.reference_asset_ids_json'),
    maskAssetId: nullToUndefined(row.mask_asset_id),
    imageCount: row.image_count,
    seed: nullToUndefined(row.seed),
    setIndex: row.set_index,
    variables: parseJson<Record<string, string>>(row.variables_json, 'tasks.variables_json'),
    estimatedCostUsd: row.estimated_cost_usd,
    status: oneOf(taskStatuses, row.status, 'tasks.status'),
    attempts: row.attempts,
    leaseExpirations: row.lease_expirations,
    lastErrorCode: nullToUndefined(row.last_error_code),
    lastErrorMessage: nullToUndefined(row.last_error_message),
    availableAtMs: row.available_at_ms,
    remoteHandle: nullToUndefined(row.remote_handle),
    runOnline: row.run_online === 1 ? true : undefined,
    costUsd: nullToUndefined(row.cost_usd),
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    finishedAtMs: nullToUndefined(row.finished_at_ms),
    startedAtMs: nullToUndefined(row.started_at_ms),
  };
}

/** Maps an `images` row to a `GeneratedImage` (`idx` → `index`, 0/1 → boolean). */
export function rowToImage(row: Selectable<ImagesTable>): GeneratedImage {
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
    crc32: nullToUndefined(row.crc32),
    seed: nullToUndefined(row.seed),
    prompt: row.prompt,
    promptId: row.prompt_id,
    favorite: row.favorite !== 0,
    discarded: row.discarded !== 0,
    createdAtMs: row.created_at_ms,
  };
}

/** Maps an `assets` row to an `Asset` plus the blob key its bytes live under. */
export function rowToAsset(row: Selectable<AssetsTable>): Asset & { blobKey: string } {
  return {
    id: row.id,
    sha256: row.sha256,
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    byteSize: row.byte_size,
    originalName: row.original_name,
    ...(row.source_sha256 === null ? {} : { sourceSha256: row.source_sha256 }),
    blobKey: row.blob_key,
    createdAtMs: row.created_at_ms,
  };
}

/** Maps a `groups` row to a `Group`. */
export function rowToGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    name: row.name,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

function nullToUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

// A value outside the closed set means the row was written by other (newer or broken) code; failing
// loudly beats letting an unknown status flow into switch statements that silently ignore it.
function oneOf<T extends string>(allowed: readonly T[], value: string, column: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ImagefleetError('internal', `Stored value "${value}" in ${column} is not one this version of imagefleet knows.`);
}

export function parseJson<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ImagefleetError('internal', `Stored JSON in ${column} cannot be parsed.`, { cause: error });
  }
}
