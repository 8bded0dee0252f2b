import type { Kysely } from 'kysely';
import {
  cancelableTaskCount,
  cancelableTaskStatuses,
  canceledTaskFields,
  decideCancelJob,
  decideCancelTask,
  decidePauseJob,
  decideReopenForRetry,
  decideResumeJob,
  ensureRetryAllowed,
  hasStartedTask,
  jobNotFound,
  requeuedTaskFields,
  retryChosenTaskStatuses,
  retryFailedTaskStatuses,
  taskNotFound,
  type CanceledTaskFields,
  type JobTransition,
  type RequeuedTaskFields,
} from '../../core/job-lifecycle.js';
import type { Job } from '../../core/job.js';
import type { JobControl, TaskCancellation } from '../../engine/ports.js';
import { sql } from 'kysely';
import { appendPostgresEvent } from './postgres-event-log.js';
import { finalizePostgresJobIfDone as finalizeJobIfDone, readPostgresTaskCounts as readTaskCounts } from './postgres-job-finalizer.js';
import { postgresRowToJob as rowToJob, postgresRowToTask as rowToTask } from './postgres-row-mappers.js';
import { runPostgresTransaction } from './postgres-transaction.js';
import type { PostgresDatabase } from './schema.js';
import { translatePostgresError } from './translate-postgres-error.js';

/**
 * Pause, resume, cancel (a job or one task) and retry on Postgres, each one transaction: lock the
 * job row (`FOR UPDATE`, so a claim or another machine's control call on the same job waits), read
 * the snapshot, ask the job lifecycle (core/job-lifecycle.ts), write its decision with its event.
 * Cancel takes the lease away from running tasks (clears the token): their workers find out on the
 * next heartbeat, abort the provider call, and any late completion is refused by the fence.
 */
export class PostgresJobControl implements JobControl {
  constructor(private readonly db: Kysely<PostgresDatabase>) {}

  async pauseJob(jobId: string, reason: string | undefined, nowMs: number): Promise<Job> {
    return this.inTransaction('pause the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      const transition = decidePauseJob(job, reason);
      if (!transition) return job;
      return this.applyJobTransition(transaction, jobId, transition, nowMs);
    });
  }

  async resumeJob(jobId: string, nowMs: number): Promise<Job> {
    return this.inTransaction('resume the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      const transition = decideResumeJob(job, hasStartedTask(await readTaskCounts(transaction, jobId)));
      if (!transition) return job;
      const updated = await this.applyJobTransition(transaction, jobId, transition, nowMs);
      return (await finalizeJobIfDone(transaction, jobId, nowMs)) ?? updated;
    });
  }

  async cancelJob(jobId: string, nowMs: number): Promise<Job> {
    return this.inTransaction('cancel the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      const transition = decideCancelJob(job, cancelableTaskCount(await readTaskCounts(transaction, jobId)), nowMs);
      if (!transition) return job;
      await transaction
        .updateTable('tasks')
        .set({ ...canceledTaskColumns(canceledTaskFields(nowMs)), updated_at_ms: nowMs })
        .where('job_id', '=', jobId)
        .where('status', 'in', cancelableTaskStatuses)
        .execute();
      return this.applyJobTransition(transaction, jobId, transition, nowMs);
    });
  }

  async cancelTask(taskId: string, nowMs: number): Promise<TaskCancellation> {
    return this.inTransaction('cancel the task', async (transaction) => {
      const owner = await transaction.selectFrom('tasks').select('job_id').where('id', '=', taskId).executeTakeFirst();
      if (!owner) throw taskNotFound(taskId);
      // Job first, then the task: the locking order every transaction keeps (docs/decisions/0039).
      const job = await this.loadJob(transaction, owner.job_id);
      const row = await transaction.selectFrom('tasks').selectAll().where('id', '=', taskId).forUpdate().executeTakeFirstOrThrow();
      const task = rowToTask(row);
      const decision = decideCancelTask(task, nowMs);
      if (!decision) return { task, job, finishedJob: false, changed: false };
      const updated = await transaction
        .updateTable('tasks')
        .set({ ...canceledTaskColumns(decision.fields), updated_at_ms: nowMs })
        .where('id', '=', taskId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendPostgresEvent(transaction, { ...decision.event, jobId: row.job_id, taskId, nowMs });
      const finished = await finalizeJobIfDone(transaction, row.job_id, nowMs);
      return { task: rowToTask(updated), job: finished ?? job, finishedJob: finished !== undefined, changed: true };
    });
  }

  async retryFailed(jobId: string, nowMs: number): Promise<number> {
    return this.inTransaction('retry failed tasks', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      ensureRetryAllowed(job);
      const result = await transaction
        .updateTable('tasks')
        .set({ ...requeuedTaskColumns(requeuedTaskFields(nowMs)), updated_at_ms: nowMs })
        .where('job_id', '=', jobId)
        .where('status', 'in', retryFailedTaskStatuses)
        .executeTakeFirst();
      return this.reopenForRetry(transaction, job, Number(result.numUpdatedRows), nowMs);
    });
  }

  async retryTasks(jobId: string, taskIds: string[], nowMs: number): Promise<number> {
    return this.inTransaction('retry tasks', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      ensureRetryAllowed(job);
      if (taskIds.length === 0) return this.reopenForRetry(transaction, job, 0, nowMs);
      const result = await transaction
        .updateTable('tasks')
        .set({ ...requeuedTaskColumns(requeuedTaskFields(nowMs)), updated_at_ms: nowMs })
        .where('job_id', '=', jobId)
        .where(sql<boolean>`id = ANY(${taskIds}::text[])`)
        .where('status', 'in', retryChosenTaskStatuses)
        .executeTakeFirst();
      const retried = Number(result.numUpdatedRows);
      return this.reopenForRetry(transaction, job, retried, nowMs);
    });
  }

  /** Writes the job's reopening after a retry (when any task was requeued); returns how many were. */
  private async reopenForRetry(transaction: Kysely<PostgresDatabase>, job: Job, retried: number, nowMs: number): Promise<number> {
    const transition = decideReopenForRetry(job, retried);
    if (transition) await this.applyJobTransition(transaction, job.id, transition, nowMs);
    return retried;
  }

  /** Writes a lifecycle decision to the job's row and appends its event, on the caller's transaction. */
  private async applyJobTransition(transaction: Kysely<PostgresDatabase>, jobId: string, transition: JobTransition, nowMs: number): Promise<Job> {
    const updated = await transaction
      .updateTable('jobs')
      .set({
        status: transition.status,
        status_reason: transition.statusReason,
        ...(transition.finishedAtMs === undefined ? {} : { finished_at_ms: transition.finishedAtMs }),
        updated_at_ms: nowMs,
      })
      .where('id', '=', jobId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendPostgresEvent(transaction, { ...transition.event, jobId, nowMs });
    return rowToJob(updated);
  }

  private async loadJob(transaction: Kysely<PostgresDatabase>, jobId: string): Promise<Job> {
    const row = await transaction.selectFrom('jobs').selectAll().where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!row) throw jobNotFound(jobId);
    return rowToJob(row);
  }

  private async inTransaction<T>(action: string, work: (transaction: Kysely<PostgresDatabase>) => Promise<T>): Promise<T> {
    try {
      return await runPostgresTransaction(this.db, work);
    } catch (error) {
      throw translatePostgresError(error, action);
    }
  }
}

function canceledTaskColumns(fields: CanceledTaskFields) {
  return {
    status: fields.status,
    lease_token: fields.leaseToken,
    lease_owner: fields.leaseOwner,
    lease_expires_at_ms: fields.leaseExpiresAtMs,
    finished_at_ms: fields.finishedAtMs,
  };
}

function requeuedTaskColumns(fields: RequeuedTaskFields) {
  return {
    status: fields.status,
    attempts: fields.attempts,
    lease_expirations: fields.leaseExpirations,
    available_at_ms: fields.availableAtMs,
    finished_at_ms: fields.finishedAtMs,
  };
}
