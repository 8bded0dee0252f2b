/** One job as stored; `not_found` when there is none. */
import { ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface GetJobInput {
  /** The job to read. */
  jobId: string;
}

export async function getJob(input: GetJobInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<Job> {
  const job = await dependencies.store.jobs.getJob(input.jobId);
  if (!job) throw new ImagefleetError('not_found', `No job with id ${input.jobId}.`);
  return job;
}
