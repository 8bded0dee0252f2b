/** Resumes a paused job and wakes the engine so its tasks are claimed at once. */
import type { Job } from '../core/job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ResumeJobInput {
  /** The paused job to resume. */
  jobId: string;
}

/** `not_found` for an unknown job, `conflict` for a finished one. */
export async function resumeJob(input: ResumeJobInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'engine'>): Promise<Job> {
  const job = await dependencies.store.control.resumeJob(input.jobId, dependencies.clock.now());
  dependencies.engine.wake();
  return job;
}
