/**
 * The job of a CLI session, or undefined when it has none (its run stopped before the job was
 * created). The session record is written before the job, so a record may not name its job yet:
 * the job carries the session id as its name.
 */
import type { Job } from '../core/job.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface FindCliSessionJobInput {
  /** The session whose job is looked for. */
  sessionId: string;
  /** The job id the session record names; null when the record was written before the job. */
  jobId: string | null;
}

export async function findCliSessionJob(input: FindCliSessionJobInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<Job | undefined> {
  const { jobs } = dependencies.store;
  if (input.jobId !== null) {
    const job = await jobs.getJob(input.jobId);
    if (job) return job;
  }
  const candidates = await jobs.listJobs({});
  return candidates.find((job) => job.mode === 'cli' && job.name === input.sessionId);
}
