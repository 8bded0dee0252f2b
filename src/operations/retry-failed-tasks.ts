/** Requeues a job's failed tasks (not blocked, not completed) with fresh attempts and wakes the engine. */
import type { Job } from '../core/job.js';
import { getJob } from './get-job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface RetryFailedTasksInput {
  /** The job whose failed tasks are retried. */
  jobId: string;
}

export interface RetryFailedTasksResult {
  /** The job after the retry (running again when a task was requeued). */
  job: Job;
  /** Tasks requeued. */
  retried: number;
}

/** `not_found` for an unknown job. */
export async function retryFailedTasks(input: RetryFailedTasksInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'engine'>): Promise<RetryFailedTasksResult> {
  const retried = await dependencies.store.control.retryFailed(input.jobId, dependencies.clock.now());
  dependencies.engine.wake();
  return { job: await getJob(input, dependencies), retried };
}
