/**
 * Jobs and their tasks on Postgres (the `JobRepository` port). The rules (queue places, the
 * lifecycle) are core's; this locks what a decision reads and writes its answer. Money is converted
 * to micro-USD here (money.ts); id lists travel as one array parameter (`= ANY`).
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import { priorityRank, type Job, type JobStatus, type Lane } from '../../core/job.js';
import { ensureHasQueuePlace, jobNotFound, unfinishedJobStatuses } from '../../core/job-lifecycle.js';
import { providerKeyText } from '../../core/limit-key.js';
import { taskStatuses, type Task } from '../../core/task.js';
import type { FinishedCall } from '../../core/call-times.js';
import type { JobListEntry, JobPageFilter, JobProgressFigures, JobRepository, NewJobInput, QueueEntry, QueuePlacementUpdate, TaskStatusCounts } from '../../engine/ports.js';
import { findGroupNamed, normalizeGroupName } from '../../core/group-rules.js';
import { advisoryLockKeys, takeTransactionLock } from './advisory-locks.js';
import { toMicroUsd, toMicroUsdOrNull } from './money.js';
import { appendPostgresEvent } from './postgres-event-log.js';
import { postgresRowToJob as rowToJob, postgresRowToTask as rowToTask } from './postgres-row-mappers.js';
import { runPostgresTransaction } from './postgres-transaction.js';
import { insertPostgresWebhookEndpoints } from './postgres-webhook-writes.js';
import type { PostgresDatabase, TasksTable } from './schema.js';
import { errorCodeOf, translatePostgresError, withTranslatedPostgresErrors } from './translate-postgres-error.js';

/**
 * Rows per multi-row INSERT. A task row binds 19 parameters; 1,000 rows stay far below Postgres's
 * 65,535-parameter limit while turning 10,000 tasks into 10 statements.
 */
const taskInsertChunkSize = 1000;

/**
 * The id of the group named `group.name` (case-insensitive, as group names are unique), inserting
 * it with `group.id` when there is none. Under the groups advisory lock (as every group write), so
 * two submits naming the same new group cannot both insert it.
 */
async function findOrInsertGroup(executor: Kysely<PostgresDatabase>, group: { id: string; name: string }, nowMs: number): Promise<string> {
  await takeTransactionLock(executor, advisoryLockKeys.groups);
  const rows = await executor.selectFrom('groups').select(['id', 'name']).execute();
  const existing = findGroupNamed(rows, group.name);
  if (existing) return existing.id;
  await executor.insertInto('groups').values({ id: group.id, name: group.name, created_at_ms: nowMs, updated_at_ms: nowMs }).execute();
  return group.id;
}

function emptyStatusCounts(): TaskStatusCounts {
  return Object.fromEntries(taskStatuses.map((status) => [status, 0])) as TaskStatusCounts;
}

export class PostgresJobRepository implements JobRepository {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async createJob(input: NewJobInput): Promise<Job> {
    const { tasks } = input;
    let { job } = input;
    const providerKey = providerKeyText(job.provider, job.model);
    // Checked before the transaction: a name no group may have writes nothing.
    const groupName = input.createGroup === undefined ? undefined : normalizeGroupName(input.createGroup.name);
    try {
      return await runPostgresTransaction(this.db, async (executor) => {
        if (input.createGroup !== undefined && groupName !== undefined) {
          job = { ...job, groupId: await findOrInsertGroup(executor, { id: input.createGroup.id, name: groupName }, job.createdAtMs) };
        }
        await executor
          .insertInto('jobs')
          .values({
            id: job.id,
            mode: job.mode,
            group_id: job.groupId,
            name: job.name,
            provider: job.provider,
            model: job.model,
            provider_key: providerKey,
            settings: JSON.stringify(job.settings),
            lane: job.lane,
            priority: job.priority,
            priority_rank: priorityRank[job.priority],
            execution: job.execution,
            budget_micro_usd: toMicroUsdOrNull(job.budgetUsd),
            status: 'queued',
            status_reason: null,
            estimated_cost_micro_usd: toMicroUsd(job.estimatedCostUsd),
            task_count: tasks.length,
            created_at_ms: job.createdAtMs,
            updated_at_ms: job.createdAtMs,
            finished_at_ms: null,
          })
          .execute();

        for (let start = 0; start < tasks.length; start += taskInsertChunkSize) {
          const rows = tasks.slice(start, start + taskInsertChunkSize).map((task): Insertable<TasksTable> => ({
            id: task.id,
            job_id: job.id,
            provider_key: providerKey,
            key: task.key,
            ordinal: task.ordinal,
            prompt: task.prompt,
            prompt_id: task.promptId,
            reference_asset_ids: JSON.stringify(task.referenceAssetIds),
            mask_asset_id: task.maskAssetId ?? null,
            image_count: task.imageCount,
            seed: task.seed ?? null,
            set_index: task.setIndex,
            variables: JSON.stringify(task.variables),
            estimated_cost_micro_usd: toMicroUsd(task.estimatedCostUsd),
            status: 'queued',
            available_at_ms: task.createdAtMs,
            created_at_ms: task.createdAtMs,
            updated_at_ms: task.createdAtMs,
          }));
          await executor.insertInto('tasks').values(rows).execute();
        }
        await insertPostgresWebhookEndpoints(executor, job.id, input.webhooks ?? [], job.createdAtMs);

        const row = await executor.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        return rowToJob(row);
      });
    } catch (error) {
      // The only foreign key a new job has is its group; say so instead of "constraint failed".
      if (errorCodeOf(error) === '23503') {
        throw new ImagefleetError('not_found', `Group ${job.groupId} does not exist, so job ${job.id} was not created.`, { cause: error });
      }
      throw translatePostgresError(error, `create job ${job.id}`);
    }
  }

  /** Newest first; the claim's (status, provider_key) index narrows to the provider's completed calls. */
  async recentCalls(providerKey: string, lane: Lane, limit: number): Promise<FinishedCall[]> {
    return withTranslatedPostgresErrors(`read recent calls of ${providerKey}`, async () => {
      const rows = await this.db
        .selectFrom('tasks')
        .innerJoin('jobs', 'jobs.id', 'tasks.job_id')
        .select(['tasks.job_id', 'tasks.started_at_ms', 'tasks.finished_at_ms'])
        .where('tasks.status', '=', 'completed')
        .where('tasks.provider_key', '=', providerKey)
        .where('jobs.lane', '=', lane)
        .where('tasks.started_at_ms', 'is not', null)
        .where('tasks.finished_at_ms', 'is not', null)
        .orderBy('tasks.finished_at_ms', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ jobId: row.job_id, startedAtMs: row.started_at_ms ?? 0, finishedAtMs: row.finished_at_ms ?? 0 }));
    });
  }

  async getJob(jobId: string): Promise<Job | undefined> {
    return withTranslatedPostgresErrors(`read job ${jobId}`, async () => {
      const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row ? rowToJob(row) : undefined;
    });
  }

  /** Newest first. */
  async listJobs(filter: { statuses?: Job['status'][]; groupId?: string; limit?: number }): Promise<Job[]> {
    return withTranslatedPostgresErrors('list jobs', async () => {
      if (filter.statuses !== undefined && filter.statuses.length === 0) return [];
      let query = this.db.selectFrom('jobs').selectAll();
      if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses);
      if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      query = query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc');
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      const rows = await query.execute();
      return rows.map(rowToJob);
    });
  }

  /** Every status is present, zero when the job has no task in it. */
  async taskCounts(jobId: string): Promise<TaskStatusCounts> {
    return withTranslatedPostgresErrors(`count the tasks of job ${jobId}`, async () => {
      const rows = await this.db
        .selectFrom('tasks')
        .select(['status', (expression) => expression.fn.countAll<number>().as('count')])
        .where('job_id', '=', jobId)
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as TaskStatusCounts;
      for (const row of rows) {
        if ((taskStatuses as readonly string[]).includes(row.status)) counts[row.status as Task['status']] = Number(row.count);
      }
      return counts;
    });
  }

  async progressFigures(jobId: string, sinceMs: number, maxErrors: number): Promise<JobProgressFigures> {
    return withTranslatedPostgresErrors(`read the progress of job ${jobId}`, async () => {
      const byStatus = await this.db
        .selectFrom('tasks')
        .select(['status', (expression) => expression.fn.sum<number>('image_count').as('images')])
        .where('job_id', '=', jobId)
        .groupBy('status')
        .execute();
      const imagesByStatus = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as TaskStatusCounts;
      for (const row of byStatus) {
        if ((taskStatuses as readonly string[]).includes(row.status)) imagesByStatus[row.status as Task['status']] = Number(row.images);
      }
      const recent = await this.db
        .selectFrom('tasks')
        .select((expression) => expression.fn.coalesce(expression.fn.sum<number>('image_count'), expression.lit(0)).as('images'))
        .where('job_id', '=', jobId)
        .where('finished_at_ms', '>=', sinceMs)
        .where('status', '=', 'completed')
        .executeTakeFirstOrThrow();
      const errorRows = await this.db
        .selectFrom('tasks')
        .select(['last_error_code', 'last_error_message', 'status', (expression) => expression.fn.countAll<number>().as('count')])
        .where('job_id', '=', jobId)
        .where('last_error_code', 'is not', null)
        .where('status', 'in', ['failed', 'blocked', 'queued'])
        .groupBy(['last_error_code', 'last_error_message', 'status'])
        .orderBy('count', 'desc')
        .limit(maxErrors)
        .execute();
      return {
        imagesByStatus,
        imagesCompletedSince: Number(recent.images),
        errors: errorRows.map((row) => ({
          code: row.last_error_code ?? 'unknown',
          message: row.last_error_message ?? '',
          taskCount: Number(row.count),
          status: row.status as Task['status'],
        })),
      };
    });
  }

  /** In plan order (ordinal). */
  async listTasks(jobId: string, filter: { statuses?: Task['status'][]; limit?: number; offset?: number }): Promise<Task[]> {
    return withTranslatedPostgresErrors(`list the tasks of job ${jobId}`, async () => {
      if (filter.statuses !== undefined && filter.statuses.length === 0) return [];
      let query = this.db.selectFrom('tasks').selectAll().where('job_id', '=', jobId);
      if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses);
      query = query.orderBy('ordinal', 'asc');
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      if (filter.offset !== undefined) query = query.offset(filter.offset);
      const rows = await query.execute();
      return rows.map(rowToTask);
    });
  }

  async completedTaskKeys(keys: string[]): Promise<Set<string>> {
    return withTranslatedPostgresErrors('look up completed task keys', async () => {
      const uniqueKeys = [...new Set(keys)];
      if (uniqueKeys.length === 0) return new Set<string>();
      const rows = await this.db
        .selectFrom('tasks')
        .select('key')
        .distinct()
        .where('status', '=', 'completed')
        .where(sql<boolean>`key = ANY(${uniqueKeys}::text[])`)
        .execute();
      return new Set(rows.map((row) => row.key));
    });
  }

  async getTask(taskId: string): Promise<Task | undefined> {
    return withTranslatedPostgresErrors(`read task ${taskId}`, async () => {
      const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
      return row ? rowToTask(row) : undefined;
    });
  }

  /** One page of jobs, newest first, after the keyset position `before`, each with its image counts. */
  async listJobPage(filter: JobPageFilter): Promise<JobListEntry[]> {
    return withTranslatedPostgresErrors('list jobs', async () => {
      let query = this.db.selectFrom('jobs').selectAll();
      if (filter.groupId !== undefined) query = query.where('group_id', '=', filter.groupId);
      if (filter.mode !== undefined) query = query.where('mode', '=', filter.mode);
      if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses.length > 0 ? filter.statuses : ['']);
      const before = filter.before;
      if (before !== undefined) {
        query = query.where((expression) =>
          expression.or([expression('created_at_ms', '<', before.createdAtMs), expression.and([expression('created_at_ms', '=', before.createdAtMs), expression('id', '<', before.id)])]),
        );
      }
      const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
      const countsByJob = await this.imagesByStatusOf(rows.map((row) => row.id));
      return rows.map((row) => ({ job: rowToJob(row), imagesByStatus: countsByJob.get(row.id) ?? emptyStatusCounts() }));
    });
  }

  async listQueue(): Promise<QueueEntry[]> {
    return withTranslatedPostgresErrors('read the queue', async () => {
      const rows = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('status', 'in', unfinishedJobStatuses)
        // The claim's order (task-queue.ts) for runnable jobs; paused ones after them.
        .orderBy(sql`status = 'paused'`)
        .orderBy('priority_rank', 'desc')
        .orderBy('queue_position', 'asc')
        .orderBy('last_claimed_at_ms', 'asc')
        .orderBy('created_at_ms', 'asc')
        .execute();
      const countsByJob = await this.imagesByStatusOf(rows.map((row) => row.id));
      return rows.map((row) => ({ job: rowToJob(row), queuePosition: row.queue_position, imagesByStatus: countsByJob.get(row.id) ?? emptyStatusCounts() }));
    });
  }

  /** Images (not tasks) per task status of each job, from the tasks' covering index. */
  private async imagesByStatusOf(jobIds: readonly string[]): Promise<Map<string, TaskStatusCounts>> {
    const countsByJob = new Map<string, TaskStatusCounts>();
    if (jobIds.length === 0) return countsByJob;
    const counts = await this.db
      .selectFrom('tasks')
      .select(['job_id', 'status', (expression) => expression.fn.sum<number>('image_count').as('images')])
      .where(sql<boolean>`job_id = ANY(${[...jobIds]}::text[])`)
      .groupBy(['job_id', 'status'])
      .execute();
    for (const row of counts) {
      let jobCounts = countsByJob.get(row.job_id);
      if (!jobCounts) {
        jobCounts = emptyStatusCounts();
        countsByJob.set(row.job_id, jobCounts);
      }
      if ((taskStatuses as readonly string[]).includes(row.status)) jobCounts[row.status as Task['status']] = Number(row.images);
    }
    return countsByJob;
  }

  async updateQueuePlacement(updates: QueuePlacementUpdate[], nowMs: number): Promise<void> {
    if (updates.length === 0) return;
    try {
      await runPostgresTransaction(this.db, async (executor) => {
        // Every row locked up front in id order, so two reorders cannot deadlock on each other.
        const jobIds = [...new Set(updates.map((update) => update.jobId))].sort();
        await executor.selectFrom('jobs').select('id').where(sql<boolean>`id = ANY(${jobIds}::text[])`).orderBy('id').forUpdate().execute();
        for (const update of updates) {
          const job = await executor.selectFrom('jobs').select(['id', 'status']).where('id', '=', update.jobId).executeTakeFirst();
          if (!job) throw jobNotFound(update.jobId);
          ensureHasQueuePlace({ id: job.id, status: job.status as JobStatus });
          await executor
            .updateTable('jobs')
            .set({
              ...(update.queuePosition === undefined ? {} : { queue_position: update.queuePosition }),
              ...(update.priority === undefined ? {} : { priority: update.priority, priority_rank: priorityRank[update.priority] }),
              updated_at_ms: nowMs,
            })
            .where('id', '=', update.jobId)
            .execute();
        }
        await appendPostgresEvent(executor, {
          type: 'queue.changed',
          payload: { jobs: updates.map((update) => ({ jobId: update.jobId, queuePosition: update.queuePosition, priority: update.priority })) },
          nowMs,
        });
      });
    } catch (error) {
      throw translatePostgresError(error, 'change the queue');
    }
  }

  async listTasksInGroup(groupId: string, filter: { jobId?: string; statuses: Task['status'][] }): Promise<Array<{ task: Task; provider: string; model: string; jobName: string }>> {
    return withTranslatedPostgresErrors(`list the tasks of group ${groupId}`, async () => {
      if (filter.statuses.length === 0) return [];
      let query = this.db
        .selectFrom('tasks')
        .innerJoin('jobs', 'jobs.id', 'tasks.job_id')
        .selectAll('tasks')
        .select(['jobs.provider as job_provider', 'jobs.model as job_model', 'jobs.name as job_name'])
        .where('jobs.group_id', '=', groupId)
        .where('tasks.status', 'in', filter.statuses);
      if (filter.jobId !== undefined) query = query.where('tasks.job_id', '=', filter.jobId);
      const rows = await query.orderBy('jobs.created_at_ms', 'asc').orderBy('tasks.job_id').orderBy('tasks.ordinal', 'asc').execute();
      return rows.map((row) => {
        const { job_provider, job_model, job_name, ...taskRow } = row;
        return { task: rowToTask(taskRow), provider: job_provider, model: job_model, jobName: job_name };
      });
    });
  }
}
