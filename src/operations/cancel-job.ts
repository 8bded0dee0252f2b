/** Cancels a job: its queued tasks end canceled and its calls running in this process are aborted at once (others see it on their next heartbeat). */
import type { Job } from '../core/job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface CancelJobInput {
  /** The job to cancel. */
  jobId: string;
}

/** `not_found` for an unknown job. */
export function cancelJob(input: CancelJobInput, dependencies: Pick<OperationDependencies, 'engine'>): Promise<Job> {
  // Through the engine: only it can abort a provider call in flight here.
  return dependencies.engine.cancelJob(input.jobId);
}
