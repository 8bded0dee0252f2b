import type { Kysely } from 'kysely';
import type { Job, JobStatus } from '../../core/job.js';
import { decideJobOutcome, jobFinishedPayload, type JobTaskCounts } from '../../core/job-outcome.js';
import { taskStatuses, type TaskStatus } from '../../core/task.js';
import { appendEvent } from './event-log.js';
import { hotRows } from './hot-statement.js';
import { rowToJob } from './row-mappers.js';
import type { Database } from './schema.js';

/**
 * Closes a job whose last task just reached a terminal state. Called inside the transaction that
 * made that change, so "the last task finished" and "the job finished" commit together.
 *
 * Reads the job's task counts, asks the outcome rule (`decideJobOutcome`, core/job-outcome.ts) and
 * writes its answer with the `job.finished` event. Returns the finished job, or undefined when the
 * job is not finished (or had ended already).
 */
export async function finalizeJobIfDone(transaction: Kysely<Database>, jobId: string, nowMs: number): Promise<Job | undefined> {
  // Cheap probe first: an index seek that stops at the first unfinished task.
  // Run after every completion: a fixed text, not the query builder (hot-statement.ts).
  const [unfinished] = await hotRows<{ id: string }>(transaction, "SELECT id FROM tasks WHERE job_id = ? AND status IN ('queued', 'running') LIMIT 1", [jobId]);
  if (unfinished) return undefined;

  const job = await transaction.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!job) return undefined;
  const outcome = decideJobOutcome(job.status as JobStatus, await readTaskCounts(transaction, jobId));
  if (!outcome) return undefined;

  const updated = await transaction
    .updateTable('jobs')
    .set({ status: outcome.status, status_reason: outcome.reason, finished_at_ms: nowMs, updated_at_ms: nowMs })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(transaction, { type: 'job.finished', jobId, payload: jobFinishedPayload(outcome, updated.spent_usd), nowMs });
  return rowToJob(updated);
}

/** How many tasks of the job are in each status (every status present, zero when none). */
export async function readTaskCounts(executor: Kysely<Database>, jobId: string): Promise<JobTaskCounts> {
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
