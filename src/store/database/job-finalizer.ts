import type { Kysely } from 'kysely';
import type { Job } from '../../core/job.js';
import { appendEvent } from './event-log.js';
import { rowToJob } from './row-mappers.js';
import type { Database } from './schema.js';

const terminalJobStatuses = ['completed', 'failed', 'canceled'];

/**
 * Closes a job whose last task just reached a terminal state. Called inside the transaction that
 * made that change, so "the last task finished" and "the job finished" commit together.
 *
 * A job with any failed or blocked task ends `failed` (its completed images are kept); a job
 * whose tasks were all canceled ends `canceled`; otherwise `completed`.
 */
export async function finalizeJobIfDone(transaction: Kysely<Database>, jobId: string, nowMs: number): Promise<Job | undefined> {
  // Cheap probe first: an index seek that stops at the first unfinished task.
  const unfinished = await transaction
    .selectFrom('tasks')
    .select('id')
    .where('job_id', '=', jobId)
    .where('status', 'in', ['queued', 'running'])
    .limit(1)
    .executeTakeFirst();
  if (unfinished) return undefined;

  const job = await transaction.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!job || terminalJobStatuses.includes(job.status)) return undefined;

  const counts = await transaction
    .selectFrom('tasks')
    .select(['status', (expression) => expression.fn.countAll<number>().as('count')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  const countOf = (status: string): number => Number(counts.find((row) => row.status === status)?.count ?? 0);
  const failed = countOf('failed');
  const blocked = countOf('blocked');
  const completed = countOf('completed');
  const canceled = countOf('canceled');

  let status: Job['status'];
  let reason: string | null = null;
  if (failed + blocked > 0) {
    status = 'failed';
    const parts = [failed > 0 ? `${failed} failed` : '', blocked > 0 ? `${blocked} blocked by the provider's safety filter` : ''].filter(Boolean);
    reason = `${parts.join(', ')}; ${completed} completed`;
  } else if (completed === 0 && canceled > 0) {
    status = 'canceled';
  } else {
    status = 'completed';
  }

  const updated = await transaction
    .updateTable('jobs')
    .set({ status, status_reason: reason, finished_at_ms: nowMs, updated_at_ms: nowMs })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(transaction, {
    type: 'job.finished',
    jobId,
    payload: { status, reason, completed, failed, blocked, canceled, spentUsd: updated.spent_usd },
    nowMs,
  });
  return rowToJob(updated);
}
