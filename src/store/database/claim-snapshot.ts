/**
 * The reads a claim needs, set-based (docs/decisions/0028): the adapter side of
 * snapshot → pure policy (engine/limits, engine/scheduling) → write.
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
import { hotRows } from './hot-statement.js';
import { readLearnedRates } from './learned-rate-rows.js';
import { parseJson } from './row-mappers.js';
import type { Database, JobsTable, ProviderStateTable } from './schema.js';

/** `?, ?, …` for an IN list of `count` values. */
function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** A job's running tasks: how many, and their estimated cost in USD. */
export interface JobLoad {
  runningCount: number;
  inFlightUsd: number;
}

/** A provider-state row as the limit rules see it. */
export function rowToLimitState(row: Selectable<ProviderStateTable>): LimitState {
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
 * key, the RPM window's starts per rate-limited key, and the learned rates of `auto` keys.
 */
export async function readLimitSnapshot(
  transaction: Kysely<Database>,
  policies: readonly ProviderLimitPolicy[],
  nowMs: number,
): Promise<{ limits: LimitSnapshot; loadByJob: Map<string, JobLoad> }> {
  const scopeKeys = [...new Set(policies.flatMap((policy) => [policy.providerKey, policy.providerId]))];
  // Once per claim: fixed texts (one per list length), not the query builder (hot-statement.ts).
  const stateRows = await hotRows<Selectable<ProviderStateTable>>(transaction, `SELECT * FROM provider_state WHERE scope_key IN (${placeholders(scopeKeys.length)})`, scopeKeys);
  const states = new Map(stateRows.map((state) => [state.scope_key, rowToLimitState(state)]));
  const jobProviderKeys = [...new Set(policies.map(jobProviderKeyOf))];
  const runningRows = await hotRows<{ job_id: string; provider_key: string; lane: string; count: number; cost: number }>(
    transaction,
    `SELECT tasks.job_id AS job_id, tasks.provider_key AS provider_key, jobs.lane AS lane, count(*) AS count, coalesce(sum(tasks.estimated_cost_usd), 0) AS cost
     FROM tasks INNER JOIN jobs ON jobs.id = tasks.job_id
     WHERE tasks.status = 'running' AND tasks.provider_key IN (${placeholders(jobProviderKeys.length)})
     GROUP BY tasks.job_id, tasks.provider_key, jobs.lane`,
    jobProviderKeys,
  );
  const limitKeyOf = limitKeyResolver(policies);
  const runningByLimitKey = new Map<string, number>();
  const loadByJob = new Map<string, JobLoad>();
  for (const row of runningRows) {
    const limitKey = limitKeyOf(row.provider_key, row.lane);
    runningByLimitKey.set(limitKey, (runningByLimitKey.get(limitKey) ?? 0) + Number(row.count));
    const load = loadByJob.get(row.job_id) ?? { runningCount: 0, inFlightUsd: 0 };
    loadByJob.set(row.job_id, { runningCount: load.runningCount + Number(row.count), inFlightUsd: load.inFlightUsd + Number(row.cost) });
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
  const learnedRatesByLimitKey = await readLearnedRates(
    transaction,
    policies.filter(usesPace).map((policy) => policy.providerKey),
  );
  return { limits: { nowMs, states, runningByLimitKey, startsInWindowByLimitKey, learnedRatesByLimitKey }, loadByJob };
}


/** Queued and processing jobs of the given `provider:model` keys, with their running load. */
export async function readRunnableJobs(
  transaction: Kysely<Database>,
  jobProviderKeys: readonly string[],
  loadByJob: ReadonlyMap<string, JobLoad>,
): Promise<RunnableJob[]> {
  // Once per claim: a fixed text per list length, not the query builder (hot-statement.ts).
  // The planner sorts by the same rule (`compareJobOrder`, a stable sort); reading in that order
  // keeps ties in the order they always had.
  const jobRows = await hotRows<Pick<Selectable<JobsTable>, 'id' | 'provider_key' | 'lane' | 'execution' | 'status' | 'budget_usd' | 'spent_usd' | 'priority_rank' | 'queue_position' | 'last_claimed_at_ms' | 'created_at_ms'>>(
    transaction,
    `SELECT id, provider_key, lane, execution, status, budget_usd, spent_usd, priority_rank, queue_position, last_claimed_at_ms, created_at_ms
     FROM jobs WHERE status IN ('queued', 'processing') AND provider_key IN (${placeholders(jobProviderKeys.length)})
     ORDER BY priority_rank DESC, queue_position ASC, last_claimed_at_ms ASC, created_at_ms ASC`,
    jobProviderKeys,
  );
  return jobRows.map((row) => {
    const load = loadByJob.get(row.id);
    return {
      id: row.id,
      providerKey: row.provider_key,
      lane: row.lane,
      execution: row.execution as ExecutionMode,
      status: row.status as RunnableJob['status'],
      budgetUsd: row.budget_usd ?? undefined,
      spentUsd: row.spent_usd,
      runningCount: load?.runningCount ?? 0,
      inFlightUsd: load?.inFlightUsd ?? 0,
      priorityRank: row.priority_rank,
      queuePosition: row.queue_position,
      lastClaimedAtMs: row.last_claimed_at_ms,
      createdAtMs: row.created_at_ms,
    };
  });
}

/** The two texts of `readHeadTasks`: every queued task in order, or only those available now. */
const headTasksSql = "SELECT id, available_at_ms, estimated_cost_usd FROM tasks WHERE job_id = ? AND status = 'queued' ORDER BY ordinal ASC LIMIT ?";
// The unary plus keeps SQLite on the (job_id, status, ordinal) index: it walks tasks in order and
// stops after the first available ones, instead of sorting every queued task of the job by ordinal
// on each claim (measured: 157 µs → 20 µs per claim at 2,000 tasks).
const availableHeadTasksSql = "SELECT id, available_at_ms, estimated_cost_usd FROM tasks WHERE job_id = ? AND status = 'queued' AND +available_at_ms <= ? ORDER BY ordinal ASC LIMIT ?";

/**
 * The job's next `limit` heads in head order: its first queued task by ordinal (with
 * `availableOnly`, the first one available at `nowMs`), then the one that is first once that one
 * is leased, and so on; with `withUsage`, each with what decides its usage (image count, prompt
 * length, reference sizes). One statement (a claim leasing many tasks of one job
 * reads them once instead of once per lease). Per claim: a fixed text, not the query builder (hot-statement.ts).
 */
export async function readHeadTasks(transaction: Kysely<Database>, jobId: string, availableOnly: boolean, nowMs: number, withUsage: boolean, limit: number): Promise<QueuedTaskHead[]> {
  const rows = availableOnly
    ? await hotRows<{ id: string; available_at_ms: number; estimated_cost_usd: number }>(transaction, availableHeadTasksSql, [jobId, nowMs, limit])
    : await hotRows<{ id: string; available_at_ms: number; estimated_cost_usd: number }>(transaction, headTasksSql, [jobId, limit]);
  const heads: QueuedTaskHead[] = [];
  for (const row of rows) {
    const head: QueuedTaskHead = { id: row.id, availableAtMs: row.available_at_ms, estimatedCostUsd: row.estimated_cost_usd };
    heads.push(withUsage ? { ...head, usageFacts: await readUsageFacts(transaction, row.id) } : head);
  }
  return heads;
}

/** What decides a task's usage: its image count, prompt length and its references' and mask's pixel sizes. */
async function readUsageFacts(transaction: Kysely<Database>, taskId: string): Promise<RequestUsageFacts> {
  const task = await transaction
    .selectFrom('tasks')
    .select(['image_count', 'reference_asset_ids_json', 'mask_asset_id', sql<number>`length(prompt)`.as('prompt_characters')])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const assetIds = [...parseJson<string[]>(task.reference_asset_ids_json, 'tasks.reference_asset_ids_json'), ...(task.mask_asset_id === null ? [] : [task.mask_asset_id])];
  const sizes = assetIds.length === 0 ? [] : await transaction.selectFrom('assets').select(['id', 'width', 'height']).where('id', 'in', assetIds).execute();
  const sizeById = new Map(sizes.map((size) => [size.id, { widthPx: size.width, heightPx: size.height }]));
  return { imageCount: task.image_count, promptCharacters: Number(task.prompt_characters), referenceSizesPx: assetIds.flatMap((assetId) => sizeById.get(assetId) ?? []) };
}
