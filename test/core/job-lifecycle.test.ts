import { describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../src/core/errors.js';
import type { JobStatus } from '../../src/core/job.js';
import {
  cancelableTaskCount,
  canceledTaskFields,
  decideCancelJob,
  decideCancelTask,
  decidePauseJob,
  decideReopenForRetry,
  decideResumeJob,
  ensureHasQueuePlace,
  ensureRetryAllowed,
  hasStartedTask,
  jobNotFound,
  requeuedTaskFields,
  retryChosenTaskStatuses,
  retryFailedTaskStatuses,
  taskNotFound,
  type JobSnapshot,
} from '../../src/core/job-lifecycle.js';
import type { JobTaskCounts } from '../../src/core/job-outcome.js';
import type { TaskStatus } from '../../src/core/task.js';

const nowMs = 1_700_000_000_000;

function job(status: JobStatus, statusReason?: string): JobSnapshot {
  return { id: 'job-1', status, statusReason };
}

function counts(partial: Partial<JobTaskCounts>): JobTaskCounts {
  return { queued: 0, running: 0, completed: 0, failed: 0, blocked: 0, canceled: 0, ...partial };
}

/** Runs `decide` and returns the error it throws (code and message), or undefined. */
function refusal(decide: () => unknown): { code: string; message: string } | undefined {
  try {
    decide();
    return undefined;
  } catch (error) {
    if (!isImagefleetError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('pause', () => {
  it('pauses a queued or processing job with the given reason, or the default one', () => {
    expect(decidePauseJob(job('queued'), undefined)).toEqual({
      status: 'paused',
      statusReason: 'Paused by the user.',
      event: { type: 'job.paused', payload: { reason: 'Paused by the user.', cause: 'user' } },
    });
    expect(decidePauseJob(job('processing'), 'lunch')?.statusReason).toBe('lunch');
    expect(decidePauseJob(job('processing'), 'lunch')?.event.payload).toEqual({ reason: 'lunch', cause: 'user' });
  });

  it('leaves a paused job as it is', () => {
    expect(decidePauseJob(job('paused', 'Budget reached'), 'again')).toBeUndefined();
  });

  it('refuses a finished job with a conflict naming its status', () => {
    for (const status of ['completed', 'failed', 'canceled'] as const) {
      expect(refusal(() => decidePauseJob(job(status), undefined))).toEqual({
        code: 'conflict',
        message: `Job job-1 is ${status}; only a queued or processing job can be paused.`,
      });
    }
  });
});

describe('resume', () => {
  it('resumes a paused job to processing when a task has started, else to queued, clearing the reason', () => {
    expect(decideResumeJob(job('paused', 'lunch'), true)).toEqual({ status: 'processing', statusReason: null, event: { type: 'job.resumed', payload: {} } });
    expect(decideResumeJob(job('paused', 'lunch'), false)?.status).toBe('queued');
  });

  it('leaves an active job as it is', () => {
    expect(decideResumeJob(job('queued'), false)).toBeUndefined();
    expect(decideResumeJob(job('processing'), true)).toBeUndefined();
  });

  it('refuses a finished job', () => {
    expect(refusal(() => decideResumeJob(job('completed'), true))).toEqual({ code: 'conflict', message: 'Job job-1 is completed; only a paused job can be resumed.' });
    expect(refusal(() => decideResumeJob(job('canceled'), true))?.code).toBe('conflict');
  });

  it('counts a job as started once any task left the queue', () => {
    expect(hasStartedTask(counts({ queued: 5 }))).toBe(false);
    expect(hasStartedTask(counts({}))).toBe(false);
    for (const status of ['running', 'completed', 'failed', 'blocked', 'canceled'] as const) {
      expect(hasStartedTask(counts({ queued: 5, [status]: 1 }))).toBe(true);
    }
  });
});

describe('cancel a job', () => {
  it('cancels an unfinished job now, reporting how many tasks it canceled', () => {
    for (const status of ['queued', 'processing', 'paused'] as const) {
      expect(decideCancelJob(job(status), 3, nowMs)).toEqual({
        status: 'canceled',
        statusReason: 'Canceled by the user.',
        finishedAtMs: nowMs,
        event: { type: 'job.finished', payload: { status: 'canceled', canceledTasks: 3 } },
      });
    }
  });

  it('leaves a canceled job as it is', () => {
    expect(decideCancelJob(job('canceled'), 0, nowMs)).toBeUndefined();
  });

  it('refuses a completed or failed job', () => {
    expect(refusal(() => decideCancelJob(job('completed'), 0, nowMs))).toEqual({ code: 'conflict', message: 'Job job-1 already completed; there is nothing left to cancel.' });
    expect(refusal(() => decideCancelJob(job('failed'), 0, nowMs))?.message).toBe('Job job-1 already failed; there is nothing left to cancel.');
  });

  it('cancels the queued and running tasks only', () => {
    expect(cancelableTaskCount(counts({ queued: 2, running: 1, completed: 4, failed: 1, blocked: 1, canceled: 1 }))).toBe(3);
  });
});

describe('cancel a task', () => {
  const task = (status: TaskStatus) => ({ id: 'task-1', jobId: 'job-1', status, imageCount: 4 });

  it('cancels a queued or running task, taking its lease away so a late completion is refused', () => {
    expect(decideCancelTask(task('queued'), nowMs)).toEqual({
      fields: { status: 'canceled', leaseToken: null, leaseOwner: null, leaseExpiresAtMs: null, finishedAtMs: nowMs },
      event: { type: 'task.canceled', payload: { imageCount: 4, wasRunning: false } },
    });
    expect(decideCancelTask(task('running'), nowMs)?.event.payload).toEqual({ imageCount: 4, wasRunning: true });
    expect(canceledTaskFields(nowMs).leaseToken).toBeNull();
  });

  it('leaves a canceled task as it is', () => {
    expect(decideCancelTask(task('canceled'), nowMs)).toBeUndefined();
  });

  it('refuses a finished task', () => {
    for (const status of ['completed', 'failed', 'blocked'] as const) {
      expect(refusal(() => decideCancelTask(task(status), nowMs))).toEqual({ code: 'conflict', message: `Task task-1 already ${status}; there is nothing left to cancel.` });
    }
  });
});

describe('retry', () => {
  it('refuses to retry a canceled job', () => {
    expect(refusal(() => ensureRetryAllowed(job('canceled')))).toEqual({ code: 'conflict', message: 'Job job-1 was canceled; submit it again instead of retrying.' });
    for (const status of ['queued', 'processing', 'paused', 'completed', 'failed'] as const) expect(refusal(() => ensureRetryAllowed(job(status)))).toBeUndefined();
  });

  it('requeues failed tasks on "retry failed", failed or blocked ones when chosen', () => {
    expect(retryFailedTaskStatuses).toEqual(['failed']);
    expect(retryChosenTaskStatuses).toEqual(['failed', 'blocked']);
  });

  it('gives a requeued task fresh attempts and lease expirations, runnable now', () => {
    expect(requeuedTaskFields(nowMs)).toEqual({ status: 'queued', attempts: 0, leaseExpirations: 0, availableAtMs: nowMs, finishedAtMs: null });
  });

  it('reopens a finished job as processing, or keeps a paused one paused with its reason', () => {
    expect(decideReopenForRetry(job('failed', '1 failed; 2 completed'), 1)).toEqual({
      status: 'processing',
      statusReason: null,
      finishedAtMs: null,
      event: { type: 'job.retrying', payload: { tasks: 1 } },
    });
    expect(decideReopenForRetry(job('completed'), 2)?.status).toBe('processing');
    const paused = decideReopenForRetry(job('paused', 'Budget reached'), 3);
    expect(paused?.status).toBe('paused');
    expect(paused?.statusReason).toBe('Budget reached');
    expect(decideReopenForRetry(job('paused'), 3)?.statusReason).toBeNull();
  });

  it('writes nothing when no task was requeued', () => {
    expect(decideReopenForRetry(job('failed'), 0)).toBeUndefined();
  });
});

describe('queue place and not found', () => {
  it('gives only unfinished jobs a place in the queue', () => {
    for (const status of ['queued', 'processing', 'paused'] as const) expect(refusal(() => ensureHasQueuePlace(job(status)))).toBeUndefined();
    expect(refusal(() => ensureHasQueuePlace(job('completed')))).toEqual({ code: 'conflict', message: 'Job job-1 is completed; only unfinished jobs have a place in the queue.' });
  });

  it('names the missing job or task', () => {
    expect(jobNotFound('job-9').code).toBe('not_found');
    expect(jobNotFound('job-9').message).toBe('No job with id job-9.');
    expect(taskNotFound('task-9').message).toBe('No task with id task-9.');
  });
});
