/** Pauses a job: its queued tasks are not claimed until it resumes; calls in flight finish. */
import type { Job } from '../core/job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface PauseJobInput {
  /** The job to pause. */
  jobId: string;
  /** Shown with the paused job; undefined = paused by hand. */
  reason?: string | undefined;
}

/** `not_found` for an unknown job, `conflict` for a finished one. */
export function pauseJob(input: PauseJobInput, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<Job> {
  return dependencies.store.control.pauseJob(input.jobId, input.reason, dependencies.clock.now());
}
