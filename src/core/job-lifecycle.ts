/**
 * The job state machine: which user actions (pause, resume, cancel a job or one task, retry) are
 * allowed from which status, the errors that refuse the others, and what each allowed one writes.
 * Pure; a store adapter locks, reads the snapshot a decision needs, asks here, and writes the
 * decision with its event in one transaction (DESIGN §3: rules in core, adapters persist).
 */
import type { PersistedEventBody } from './events.js';
import { ImagefleetError } from './errors.js';
import type { Job, JobStatus } from './job.js';
import type { JobTaskCounts } from './job-outcome.js';
import type { TaskStatus } from './task.js';

/** Jobs the claimer may run tasks of. */
export const activeJobStatuses: readonly JobStatus[] = ['queued', 'processing'];

/** Jobs that have not ended: active or paused. Only these have a place in the queue. */
export const unfinishedJobStatuses: readonly JobStatus[] = ['queued', 'processing', 'paused'];

/** Tasks a cancel ends: those not finished yet. */
export const cancelableTaskStatuses: readonly TaskStatus[] = ['queued', 'running'];

/** Tasks "retry failed" requeues: failed ones only (a blocked task would be refused again). */
export const retryFailedTaskStatuses: readonly TaskStatus[] = ['failed'];

/** Tasks an explicit retry of chosen tasks requeues: failed or blocked (the user chose to try again). */
export const retryChosenTaskStatuses: readonly TaskStatus[] = ['failed', 'blocked'];

/** An event about a whole job to append with a decision, in the same transaction (core/events.ts). */
export type JobLifecycleEvent = Extract<PersistedEventBody, { type: `job.${string}` }>;

/** An event about one task to append with a decision, in the same transaction (core/events.ts). */
export type TaskLifecycleEvent = Extract<PersistedEventBody, { type: `task.${string}` }>;

/** What to write to a job's row, and the event that reports it. */
export interface JobTransition {
  status: JobStatus;
  /** The new status reason; null clears it. */
  statusReason: string | null;
  /** When the job ended, epoch ms; null reopens it; undefined leaves it as it is. */
  finishedAtMs?: number | null | undefined;
  event: JobLifecycleEvent;
}

/** What a canceled task's row gets. Its lease is taken away (token cleared) so a late completion is refused by the fence and never billed. */
export interface CanceledTaskFields {
  status: 'canceled';
  leaseToken: null;
  leaseOwner: null;
  leaseExpiresAtMs: null;
  /** Epoch ms. */
  finishedAtMs: number;
}

/** What a requeued (retried) task's row gets: a fresh start, runnable now. */
export interface RequeuedTaskFields {
  status: 'queued';
  /** Attempts start over: a retry gets the full retry budget. */
  attempts: 0;
  /** Lease expirations start over, so a retried poison task is not failed at once. */
  leaseExpirations: 0;
  /** Epoch ms: runnable at once. */
  availableAtMs: number;
  finishedAtMs: null;
}

/** The job part of the snapshot lifecycle decisions read. */
export type JobSnapshot = Pick<Job, 'id' | 'status' | 'statusReason'>;

/** The task part of the snapshot a task cancel reads. */
export interface TaskSnapshot {
  id: string;
  jobId: string;
  status: TaskStatus;
  /** Images the task would have produced. */
  imageCount: number;
}

export function jobNotFound(jobId: string): ImagefleetError {
  return new ImagefleetError('not_found', `No job with id ${jobId}.`);
}

export function taskNotFound(taskId: string): ImagefleetError {
  return new ImagefleetError('not_found', `No task with id ${taskId}.`);
}

export function isActiveJobStatus(status: JobStatus): boolean {
  return activeJobStatuses.includes(status);
}

export function isUnfinishedJobStatus(status: JobStatus): boolean {
  return unfinishedJobStatuses.includes(status);
}

/**
 * Pausing: a paused job stays as it is (undefined: nothing to write); a queued or processing one
 * pauses with `reason` (default "Paused by the user."); any other is a `conflict`.
 */
export function decidePauseJob(job: JobSnapshot, reason: string | undefined): JobTransition | undefined {
  if (job.status === 'paused') return undefined;
  if (!isActiveJobStatus(job.status)) throw notActive(job, 'paused');
  const statusReason = reason ?? 'Paused by the user.';
  return { status: 'paused', statusReason, event: { type: 'job.paused', payload: { reason: statusReason, cause: 'user' } } };
}

/**
 * Resuming: an active job stays as it is (undefined); a paused one goes back to `processing` when
 * any of its tasks has left the queue (`hasStartedTask`), else to `queued`; any other is a
 * `conflict`. The caller then applies the outcome rule: a paused job whose tasks all ended
 * finishes on resume.
 */
export function decideResumeJob(job: JobSnapshot, hasStartedTask: boolean): JobTransition | undefined {
  if (isActiveJobStatus(job.status)) return undefined;
  if (job.status !== 'paused') throw new ImagefleetError('conflict', `Job ${job.id} is ${job.status}; only a paused job can be resumed.`);
  return { status: hasStartedTask ? 'processing' : 'queued', statusReason: null, event: { type: 'job.resumed', payload: {} } };
}

/** Whether any task of the job has left the queue (claimed at least once, or ended). */
export function hasStartedTask(taskCounts: JobTaskCounts): boolean {
  return Object.entries(taskCounts).some(([status, count]) => status !== 'queued' && count > 0);
}

/**
 * Canceling a job: a canceled job stays as it is (undefined); a completed or failed one is a
 * `conflict`; any other ends `canceled` at `nowMs` and its `cancelableTaskStatuses` tasks
 * (`unfinishedTaskCount` of them) are canceled with it (`canceledTaskFields`).
 */
export function decideCancelJob(job: JobSnapshot, unfinishedTaskCount: number, nowMs: number): JobTransition | undefined {
  if (job.status === 'canceled') return undefined;
  if (job.status === 'completed' || job.status === 'failed') {
    throw new ImagefleetError('conflict', `Job ${job.id} already ${job.status}; there is nothing left to cancel.`);
  }
  return {
    status: 'canceled',
    statusReason: 'Canceled by the user.',
    finishedAtMs: nowMs,
    event: { type: 'job.finished', payload: { status: 'canceled', canceledTasks: unfinishedTaskCount } },
  };
}

/** How many of these task counts a cancel ends. */
export function cancelableTaskCount(taskCounts: JobTaskCounts): number {
  return cancelableTaskStatuses.reduce((sum, status) => sum + taskCounts[status], 0);
}

/** What canceling one task writes; undefined when it is canceled already. */
export interface TaskCancelDecision {
  fields: CanceledTaskFields;
  /** `task.canceled`, for the task's job. */
  event: TaskLifecycleEvent;
}

/**
 * Canceling one task: a canceled task stays as it is (undefined); a queued or running one is
 * canceled (lease cleared); a finished one is a `conflict`. A paused job stays paused until its
 * other tasks finish: the caller applies the outcome rule afterwards, and only the last task closes it.
 */
export function decideCancelTask(task: TaskSnapshot, nowMs: number): TaskCancelDecision | undefined {
  if (task.status === 'canceled') return undefined;
  if (!cancelableTaskStatuses.includes(task.status)) {
    throw new ImagefleetError('conflict', `Task ${task.id} already ${task.status}; there is nothing left to cancel.`);
  }
  return {
    fields: canceledTaskFields(nowMs),
    event: { type: 'task.canceled', payload: { imageCount: task.imageCount, wasRunning: task.status === 'running' } },
  };
}

export function canceledTaskFields(nowMs: number): CanceledTaskFields {
  return { status: 'canceled', leaseToken: null, leaseOwner: null, leaseExpiresAtMs: null, finishedAtMs: nowMs };
}

/** A canceled job is not retried (`conflict`: submit it again); any other may be. */
export function ensureRetryAllowed(job: JobSnapshot): void {
  if (job.status === 'canceled') throw new ImagefleetError('conflict', `Job ${job.id} was canceled; submit it again instead of retrying.`);
}

export function requeuedTaskFields(nowMs: number): RequeuedTaskFields {
  return { status: 'queued', attempts: 0, leaseExpirations: 0, availableAtMs: nowMs, finishedAtMs: null };
}

/**
 * After a retry requeued `retriedTaskCount` tasks: nothing when none was (undefined); else the job
 * is no longer finished and runs again (`processing`), or stays paused keeping its reason.
 */
export function decideReopenForRetry(job: JobSnapshot, retriedTaskCount: number): JobTransition | undefined {
  if (retriedTaskCount <= 0) return undefined;
  const wasPaused = job.status === 'paused';
  return {
    status: wasPaused ? 'paused' : 'processing',
    statusReason: wasPaused ? (job.statusReason ?? null) : null,
    finishedAtMs: null,
    event: { type: 'job.retrying', payload: { tasks: retriedTaskCount } },
  };
}

/** Only unfinished jobs have a place in the queue: moving or re-prioritising a finished one is a `conflict`. */
export function ensureHasQueuePlace(job: Pick<Job, 'id' | 'status'>): void {
  if (!isUnfinishedJobStatus(job.status)) {
    throw new ImagefleetError('conflict', `Job ${job.id} is ${job.status}; only unfinished jobs have a place in the queue.`);
  }
}

function notActive(job: JobSnapshot, verb: string): ImagefleetError {
  return new ImagefleetError('conflict', `Job ${job.id} is ${job.status}; only a queued or processing job can be ${verb}.`);
}
