import type { Kysely } from 'kysely';
import type { Job, JobStatus } from '../../core/job.js';
import { decideJobOutcome, jobFinishedPayload, type JobTaskCounts } from '../../core/job-outcome.js';
import { taskStatuses, type TaskStatus } from '../../core/task.js';
import { fromMicroUsd } from './money.js';
import { appendPostgresEvent } from './postgres-event-log.js';
import { postgresRowToJob } from './postgres-row-mappers.js';
import type { PostgresDatabase } from './schema.js';

/**
 * Closes a job whose last task just reached a terminal state. Called inside the transaction that
 * made that change, so "the last task finished" and "the job finished" commit together.
 *
 * Reads the job's task counts, asks the outcome rule (`decideJobOutcome`, core/job-outcome.ts) and
 * writes its answer with the `job.finished` event. Returns the finished job, or undefined when the
 * job is not finished (or had ended already). The Postgres twin of ../database/job-finalizer.ts.
 *
 * The job row is locked FIRST: two machines finishing a job's last two tasks at once each see the
 * other's task still running at READ COMMITTED, and without the lock neither would close the job.
 * With it the second waits for the first to commit, then sees both tasks done and closes it.
 */
export async function finalizePostgresJobIfDone(transaction: Kysely<PostgresDatabase>, jobId: string, nowMs: number): Promise<Job | undefined> {
  const job = await transaction.selectFrom('jobs').selectAll().where('id', '=', jobId).forUpdate().executeTakeFirst();
  if (!job) return undefined;
  // Cheap probe: an index seek that stops at the first unfinished task.
  const unfinished = await transaction
    .selectFrom('tasks')
    .select('id')
    .where('job_id', '=', jobId)
    .where('status', 'in', ['queued', 'running'])
    .limit(1)
    .executeTakeFirst();
  if (unfinished) return undefined;

  const outcome = decideJobOutcome(job.status as JobStatus, await readPostgresTaskCounts(transaction, jobId));
  if (!outcome) return undefined;

  const updated = await transaction
    .updateTable('jobs')
    .set({ status: outcome.status, status_reason: outcome.reason, finished_at_ms: nowMs, updated_at_ms: nowMs })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendPostgresEvent(transaction, { type: 'job.finished', jobId, payload: jobFinishedPayload(outcome, fromMicroUsd(updated.spent_micro_usd)), nowMs });
  return postgresRowToJob(updated);
}

/** How many tasks of the job are in each status (every status present, zero when none). */
export async function readPostgresTaskCounts(executor: Kysely<PostgresDatabase>, jobId: string): Promise<JobTaskCounts> {
  const rows = await executor
    .selectFrom('tasks')
    .select(['status', (expression) => expression.fn.countAll<number>().as('count')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(taskStatuses.map((status) => [status, 0])) as JobTaskCounts;
  for (const row of rows) {
    if ((taskStatuses as readonly string[]).includes(row.status)) counts[row.status as TaskStatus] = Number(row.count);
  }
  return counts;
}
