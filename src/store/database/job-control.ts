import type { Kysely } from 'kysely';
import { ImagefleetError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import type { JobControl, TaskCancellation } from '../../engine/ports.js';
import { appendEvent } from './event-log.js';
import { runImmediateTransaction } from './immediate-transaction.js';
import { finalizeJobIfDone } from './job-finalizer.js';
import { rowToJob, rowToTask } from './row-mappers.js';
import type { Database } from './schema.js';
import { translateSqliteError } from './translate-sqlite-error.js';

const activeStatuses = ['queued', 'processing'];

/**
 * Pause, resume, cancel (a job or one task) and retry, each one transaction. Cancel takes the lease away from running
 * tasks (clears the token): their workers find out on the next heartbeat, abort the provider call,
 * and any late completion is refused by the fence.
 */
export class SqliteJobControl implements JobControl {
  constructor(private readonly db: Kysely<Database>) {}

  async pauseJob(jobId: string, reason: string | undefined, nowMs: number): Promise<Job> {
    return this.inTransaction('pause the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      if (job.status === 'paused') return job;
      if (!activeStatuses.includes(job.status)) throw this.notActive(job, 'paused');
      const updated = await transaction
        .updateTable('jobs')
        .set({ status: 'paused', status_reason: reason ?? 'Paused by the user.', updated_at_ms: nowMs })
        .where('id', '=', jobId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvent(transaction, { type: 'job.paused', jobId, payload: { reason: updated.status_reason, cause: 'user' }, nowMs });
      return rowToJob(updated);
    });
  }

  async resumeJob(jobId: string, nowMs: number): Promise<Job> {
    return this.inTransaction('resume the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      if (activeStatuses.includes(job.status)) return job;
      if (job.status !== 'paused') throw new ImagefleetError('conflict', `Job ${jobId} is ${job.status}; only a paused job can be resumed.`);
      const started = await transaction.selectFrom('tasks').select('id').where('job_id', '=', jobId).where('status', '!=', 'queued').limit(1).executeTakeFirst();
      const updated = await transaction
        .updateTable('jobs')
        .set({ status: started ? 'processing' : 'queued', status_reason: null, updated_at_ms: nowMs })
        .where('id', '=', jobId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvent(transaction, { type: 'job.resumed', jobId, payload: {}, nowMs });
      return (await finalizeJobIfDone(transaction, jobId, nowMs)) ?? rowToJob(updated);
    });
  }

  async cancelJob(jobId: string, nowMs: number): Promise<Job> {
    return this.inTransaction('cancel the job', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      if (job.status === 'canceled') return job;
      if (job.status === 'completed' || job.status === 'failed') {
        throw new ImagefleetError('conflict', `Job ${jobId} already ${job.status}; there is nothing left to cancel.`);
      }
      const canceledTasks = await transaction
        .updateTable('tasks')
        .set({
          status: 'canceled',
          lease_token: null,
          lease_owner: null,
          lease_expires_at_ms: null,
          finished_at_ms: nowMs,
          updated_at_ms: nowMs,
        })
        .where('job_id', '=', jobId)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      const updated = await transaction
        .updateTable('jobs')
        .set({ status: 'canceled', status_reason: 'Canceled by the user.', finished_at_ms: nowMs, updated_at_ms: nowMs })
        .where('id', '=', jobId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvent(transaction, { type: 'job.finished', jobId, payload: { status: 'canceled', canceledTasks: Number(canceledTasks.numUpdatedRows) }, nowMs });
      return rowToJob(updated);
    });
  }

  async cancelTask(taskId: string, nowMs: number): Promise<TaskCancellation> {
    return this.inTransaction('cancel the task', async (transaction) => {
      const row = await transaction.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
      if (!row) throw new ImagefleetError('not_found', `No task with id ${taskId}.`);
      const job = await this.loadJob(transaction, row.job_id);
      if (row.status === 'canceled') return { task: rowToTask(row), job, finishedJob: false, changed: false };
      if (row.status !== 'queued' && row.status !== 'running') {
        throw new ImagefleetError('conflict', `Task ${taskId} already ${row.status}; there is nothing left to cancel.`);
      }
      const updated = await transaction
        .updateTable('tasks')
        .set({ status: 'canceled', lease_token: null, lease_owner: null, lease_expires_at_ms: null, finished_at_ms: nowMs, updated_at_ms: nowMs })
        .where('id', '=', taskId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendEvent(transaction, { type: 'task.canceled', jobId: row.job_id, taskId, payload: { imageCount: row.image_count, wasRunning: row.status === 'running' }, nowMs });
      // A paused job stays paused until its other tasks finish; only the last task closes it.
      const finished = await finalizeJobIfDone(transaction, row.job_id, nowMs);
      return { task: rowToTask(updated), job: finished ?? job, finishedJob: finished !== undefined, changed: true };
    });
  }

  async retryFailed(jobId: string, nowMs: number): Promise<number> {
    return this.inTransaction('retry failed tasks', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      if (job.status === 'canceled') throw new ImagefleetError('conflict', `Job ${jobId} was canceled; submit it again instead of retrying.`);
      const result = await transaction
        .updateTable('tasks')
        .set({ status: 'queued', attempts: 0, lease_expirations: 0, available_at_ms: nowMs, finished_at_ms: null, updated_at_ms: nowMs })
        .where('job_id', '=', jobId)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      const retried = Number(result.numUpdatedRows);
      if (retried > 0) await this.reopenForRetry(transaction, job, retried, nowMs);
      return retried;
    });
  }

  async retryTasks(jobId: string, taskIds: string[], nowMs: number): Promise<number> {
    return this.inTransaction('retry tasks', async (transaction) => {
      const job = await this.loadJob(transaction, jobId);
      if (job.status === 'canceled') throw new ImagefleetError('conflict', `Job ${jobId} was canceled; submit it again instead of retrying.`);
      let retried = 0;
      // Chunked for SQLite's parameter limit.
      for (let start = 0; start < taskIds.length; start += 500) {
        const result = await transaction
          .updateTable('tasks')
          .set({ status: 'queued', attempts: 0, lease_expirations: 0, available_at_ms: nowMs, finished_at_ms: null, updated_at_ms: nowMs })
          .where('job_id', '=', jobId)
          .where('id', 'in', taskIds.slice(start, start + 500))
          .where('status', 'in', ['failed', 'blocked'])
          .executeTakeFirst();
        retried += Number(result.numUpdatedRows);
      }
      if (retried > 0) await this.reopenForRetry(transaction, job, retried, nowMs);
      return retried;
    });
  }

  /** A job with requeued tasks runs again (or stays paused, keeping its reason) and is no longer finished. */
  private async reopenForRetry(transaction: Kysely<Database>, job: Job, retried: number, nowMs: number): Promise<void> {
    const wasPaused = job.status === 'paused';
    await transaction
      .updateTable('jobs')
      .set({ status: wasPaused ? 'paused' : 'processing', status_reason: wasPaused ? job.statusReason ?? null : null, finished_at_ms: null, updated_at_ms: nowMs })
      .where('id', '=', job.id)
      .execute();
    await appendEvent(transaction, { type: 'job.retrying', jobId: job.id, payload: { tasks: retried }, nowMs });
  }

  private async loadJob(transaction: Kysely<Database>, jobId: string): Promise<Job> {
    const row = await transaction.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    if (!row) throw new ImagefleetError('not_found', `No job with id ${jobId}.`);
    return rowToJob(row);
  }

  private notActive(job: Job, verb: string): ImagefleetError {
    return new ImagefleetError('conflict', `Job ${job.id} is ${job.status}; only a queued or processing job can be ${verb}.`);
  }

  private async inTransaction<T>(action: string, work: (transaction: Kysely<Database>) => Promise<T>): Promise<T> {
    try {
      return await runImmediateTransaction(this.db, work);
    } catch (error) {
      throw translateSqliteError(error, action);
    }
  }
}
