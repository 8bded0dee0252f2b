/** A job's counts (in images), progress, rate, ETA, cost and current errors: what the API, CLI, MCP and webhooks show. */
import { getJobStatus, type JobStatusReport } from '../engine/job-status.js';
import type { OperationDependencies } from './operation-dependencies.js';

export type { JobStatusReport } from '../engine/job-status.js';

export interface JobStatusInput {
  /** The job to report on. */
  jobId: string;
}

/** `not_found` for an unknown job. */
export function jobStatus(input: JobStatusInput, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<JobStatusReport> {
  return getJobStatus(input.jobId, { jobs: dependencies.store.jobs, clock: dependencies.clock });
}
