/**
 * The job outcome rule: when a job is finished, and with which status and reason. Pure; every store
 * adapter reads the task counts, asks here, and writes the answer with its `job.finished` event in
 * the transaction that finished the last task, so both commit together.
 */
import type { DomainEventOf } from './events.js';
import { terminalJobStatuses, type JobStatus } from './job.js';
import type { TaskStatus } from './task.js';

/** How many tasks of one job are in each status. */
export type JobTaskCounts = Record<TaskStatus, number>;

/** A finished job's status and why, with the task counts its `job.finished` event reports. */
export interface JobOutcome {
  /** `failed` when any task failed or was blocked, `canceled` when every task was canceled and none completed, else `completed`. */
  status: Extract<JobStatus, 'completed' | 'failed' | 'canceled'>;
  /** Only for `failed`: e.g. `2 failed, 1 blocked by the provider's safety filter; 5 completed`. Null otherwise. */
  reason: string | null;
  completed: number;
  failed: number;
  blocked: number;
  canceled: number;
}

/**
 * The outcome of a job, or undefined while it is not finished: a task is still queued or running,
 * or the job already ended (its outcome was decided once and stands).
 */
export function decideJobOutcome(jobStatus: JobStatus, taskCounts: JobTaskCounts): JobOutcome | undefined {
  if (taskCounts.queued + taskCounts.running > 0) return undefined;
  if (terminalJobStatuses.includes(jobStatus)) return undefined;
  const { completed, failed, blocked, canceled } = taskCounts;
  if (failed + blocked > 0) {
    // A failed job keeps its completed images; the reason says how many there are.
    const parts = [failed > 0 ? `${failed} failed` : '', blocked > 0 ? `${blocked} blocked by the provider's safety filter` : ''].filter(Boolean);
    return { status: 'failed', reason: `${parts.join(', ')}; ${completed} completed`, completed, failed, blocked, canceled };
  }
  if (completed === 0 && canceled > 0) return { status: 'canceled', reason: null, completed, failed, blocked, canceled };
  return { status: 'completed', reason: null, completed, failed, blocked, canceled };
}

/** The payload of the `job.finished` event written with an outcome; `spentUsd` is the job's total spend, USD. */
export function jobFinishedPayload(outcome: JobOutcome, spentUsd: number): DomainEventOf<'job.finished'>['payload'] {
  const { status, reason, completed, failed, blocked, canceled } = outcome;
  return { status, reason, completed, failed, blocked, canceled, spentUsd };
}
