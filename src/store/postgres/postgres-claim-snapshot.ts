/**
 * The reads a claim needs on Postgres, set-based (docs/decisions/0028, 0039): the adapter side of
 * snapshot → pure policy (engine/limits, engine/scheduling) → write; the twin of
 * ../database/claim-snapshot.ts with money in micro-USD and the locks Postgres needs.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { LimitSnapshot } from '../../engine/limits/limit-eligibility.js';
import { jobProviderKeyOf, limitKeyResolver } from '../../engine/limits/limit-key-resolver.js';
import type { LimitState } from '../../engine/limits/limit-state.js';
import { rateWindowStartMs } from '../../engine/limits/rate-window.js';
import type { RunnableJob } from '../../engine/scheduling/claim-planner.js';
import type { RequestUsageFacts } from '../../core/request-usage-estimate.js';
import type { ExecutionMode, QueuedTaskHead } from '../../engine/scheduling/task-availability.js';
import { usesPace } from '../../engine/limits/learned-pacing.js';
import type { ProviderLimitPolicy } from '../../engine/ports.js';
import { fromMicroUsd } from './money.js';
import { readPostgresLearnedRates } from './postgres-learned-rate-rows.js';
import type { PostgresDatabase, ProviderStateTable } from './schema.js';

/** A job's running tasks: how many, and their estimated cost in USD. */
export interface JobLoad {
  runningCount: number;
  inFlightUsd: number;
}

/** A provider-state row as the limit rules see it. */
export function postgresRowToLimitState(row: Selectable<ProviderStateTable>): LimitState {
  return {
    scopeKey: row.scope_key,
    pausedReason: row.paused_reason ?? undefined,
    pausedUntilMs: row.paused_until_ms ?? undefined,
    pausedCredentialFingerprint: row.paused_credential_fingerprint ?? undefined,
    nextRequestAtMs: row.next_request_at_ms,
    concurrencyLimit: row.concurrency_limit ?? undefined,
  };
}

/**
 * The snapshot the limit rules and the planner need, in set-based reads: the states of every
 * scope the policies name, the running tasks grouped by job (count, estimated cost) and by limit
 * key, the RPM window's starts per rate-limited key, and the learned rates of learned keys (read
 * under the scope locks the claim holds, so every machine sees the one schedule).
 */
export async function readPostgresLimitSnapshot(
  transaction: Kysely<PostgresDatabase>,
  policies: readonly ProviderLimitPolicy[],
  nowMs: number,
): Promise<{ limits: LimitSnapshot; loadByJob: Map<string, JobLoad> }> {
  const scopeKeys = [...new Set(policies.flatMap((policy) => [policy.providerKey, policy.providerId]))];
  const states = new Map(
    (await transaction.selectFrom('provider_state').selectAll().where('scope_key', 'in', scopeKeys).execute()).map((state) => [state.scope_key, postgresRowToLimitState(state)]),
  );
  const runningRows = await transaction
    .selectFrom('tasks')
    .innerJoin('jobs', 'jobs.id', 'tasks.job_id')
    .select([
      'tasks.job_id as job_id',
      'tasks.provider_key as provider_key',
      'jobs.lane as lane',
      (expression) => expression.fn.countAll<number>().as('count'),
      (expression) => expression.fn.coalesce(expression.fn.sum<number>('tasks.estimated_cost_micro_usd'), expression.lit(0)).as('cost'),
    ])
    .where('tasks.status', '=', 'running')
    .where('tasks.provider_key', 'in', [...new Set(policies.map(jobProviderKeyOf))])
    .groupBy(['tasks.job_id', 'tasks.provider_key', 'jobs.lane'])
    .execute();
  const limitKeyOf = limitKeyResolver(policies);
  const runningByLimitKey = new Map<string, number>();
  const loadByJob = new Map<string, JobLoad>();
  for (const row of runningRows) {
    const limitKey = limitKeyOf(row.provider_key, row.lane);
    runningByLimitKey.set(limitKey, (runningByLimitKey.get(limitKey) ?? 0) + Number(row.count));
    const load = loadByJob.get(row.job_id) ?? { runningCount: 0, inFlightUsd: 0 };
    loadByJob.set(row.job_id, { runningCount: load.runningCount + Number(row.count), inFlightUsd: load.inFlightUsd + fromMicroUsd(Number(row.cost)) });
  }
  const startsInWindowByLimitKey = new Map<string, number>();
  const windowedKeys = policies.filter((policy) => policy.requestsPerMinute > 0).map((policy) => policy.providerKey);
  if (windowedKeys.length > 0) {
    const startRows = await transaction
      .selectFrom('request_log')
      .select(['provider_key', (expression) => expression.fn.countAll<number>().as('count')])
      .where('provider_key', 'in', windowedKeys)
      .where('started_at_ms', '>', rateWindowStartMs(nowMs))
      .groupBy('provider_key')
      .execute();
    for (const row of startRows) startsInWindowByLimitKey.set(row.provider_key, Number(row.count));
  }
  const learnedRatesByLimitKey = await readPostgresLearnedRates(
    transaction,
    policies.filter(usesPace).map((policy) => policy.providerKey),
  );
  return { limits: { nowMs, states, runningByLimitKey, startsInWindowByLimitKey, learnedRatesByLimitKey }, loadByJob };
}

/**
 * Queued and processing jobs of the given `provider:model` keys, with their running load, locked
 * `FOR UPDATE SKIP LOCKED`: a job another transaction holds (a completion closing it, a pause) is
 * passed over for this claim rather than waited for, as Graphile Worker and River do.
 */
export async function readPostgresRunnableJobs(
  transaction: Kysely<PostgresDatabase>,
  jobProviderKeys: readonly string[],
  loadByJob: ReadonlyMap<string, JobLoad>,
): Promise<RunnableJob[]> {
  const jobRows = await transaction
    .selectFrom('jobs')
    .select(['id', 'provider_key', 'lane', 'execution', 'status', 'budget_micro_usd', 'spent_micro_usd', 'priority_rank', 'queue_position', 'last_claimed_at_ms', 'created_at_ms'])
    .where('status', 'in', ['queued', 'processing'])
    .where(sql<boolean>`provider_key = ANY(${[...jobProviderKeys]}::text[])`)
    // The planner sorts by the same rule (`compareJobOrder`, a stable sort); reading in that order
    // keeps ties in the order they always had.
    .orderBy('priority_rank', 'desc')
    .orderBy('queue_position', 'asc')
    .orderBy('last_claimed_at_ms', 'asc')
    .orderBy('created_at_ms', 'asc')
    .forUpdate()
    .skipLocked()
    .execute();
  return jobRows.map((row) => {
    const load = loadByJob.get(row.id);
    return {
      id: row.id,
      providerKey: row.provider_key,
      lane: row.lane,
      execution: row.execution as ExecutionMode,
      status: row.status as RunnableJob['status'],
      budgetUsd: row.budget_micro_usd === null ? undefined : fromMicroUsd(row.budget_micro_usd),
      spentUsd: fromMicroUsd(row.spent_micro_usd),
      runningCount: load?.runningCount ?? 0,
      inFlightUsd: load?.inFlightUsd ?? 0,
      priorityRank: row.priority_rank,
      queuePosition: row.queue_position,
      lastClaimedAtMs: row.last_claimed_at_ms,
      createdAtMs: row.created_at_ms,
    };
  });
}

/**
 * The job's next `limit` queued tasks by ordinal (with `availableOnly`, those available at
 * `nowMs`): the head now, then the one that is head once that one is leased, and so on; with
 * `withUsage`, each with what decides its usage. One statement for a claim that leases many tasks
 * of one job, instead of one per lease. Locked `FOR UPDATE` (not SKIP LOCKED: a sequential job must take its head, not the next one);
 * the claim already holds the job row, and writers of a job's queued tasks lock the job first, so
 * this waits only in rare cases — and nothing but this claim's own leases changes the heads read
 * ahead before it commits.
 */
export async function readPostgresHeadTasks(
  transaction: Kysely<PostgresDatabase>,
  jobId: string,
  availableOnly: boolean,
  nowMs: number,
  withUsage: boolean,
  limit: number,
): Promise<QueuedTaskHead[]> {
  let query = transaction.selectFrom('tasks').select(['id', 'available_at_ms', 'estimated_cost_micro_usd']).where('job_id', '=', jobId).where('status', '=', 'queued');
  if (availableOnly) query = query.where('available_at_ms', '<=', nowMs);
  const rows = await query.orderBy('ordinal', 'asc').limit(limit).forUpdate().execute();
  const heads: QueuedTaskHead[] = [];
  for (const row of rows) {
    const head: QueuedTaskHead = { id: row.id, availableAtMs: row.available_at_ms, estimatedCostUsd: fromMicroUsd(row.estimated_cost_micro_usd) };
    heads.push(withUsage ? { ...head, usageFacts: await readPostgresUsageFacts(transaction, row.id) } : head);
  }
  return heads;
}

/** What decides a task's usage: its image count, prompt length and its references' and mask's pixel sizes. */
async function readPostgresUsageFacts(transaction: Kysely<PostgresDatabase>, taskId: string): Promise<RequestUsageFacts> {
  const task = await transaction
    .selectFrom('tasks')
    .select(['image_count', 'reference_asset_ids', 'mask_asset_id', sql<number>`length(prompt)`.as('prompt_characters')])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const assetIds = [...task.reference_asset_ids, ...(task.mask_asset_id === null ? [] : [task.mask_asset_id])];
  const sizes = assetIds.length === 0 ? [] : await transaction.selectFrom('assets').select(['id', 'width', 'height']).where('id', 'in', assetIds).execute();
  const sizeById = new Map(sizes.map((size) => [size.id, { widthPx: size.width, heightPx: size.height }]));
  return { imageCount: task.image_count, promptCharacters: Number(task.prompt_characters), referenceSizesPx: assetIds.flatMap((assetId) => sizeById.get(assetId) ?? []) };
}
