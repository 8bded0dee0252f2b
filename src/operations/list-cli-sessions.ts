/**
 * The CLI sessions of a data directory with their jobs (`imagefleet sessions`, the MCP
 * `list_sessions` tool): each record beside the job it made and, when asked, that job's counts.
 */
import type { Job } from '../core/job.js';
import type { JobStatusReport } from '../engine/job-status.js';
import type { JobRepository } from '../engine/ports.js';
import type { CliSessionRecord } from './cli-session-record.js';

export interface ListCliSessionsInput {
  /** The records, in the order to report them (newest first). */
  records: readonly CliSessionRecord[];
  /** Also find a job by the session id (its name) when the record names none: a crash between creating the job and saving its id. */
  findByName: boolean;
  /** Read each job's image counts too. */
  withCounts: boolean;
}

export interface ListedCliSession {
  record: CliSessionRecord;
  /** Undefined when the session never got a job. */
  job: Job | undefined;
  /** Images by state; undefined without `withCounts` or without a job. */
  counts: JobStatusReport['counts'] | undefined;
}

export async function listCliSessions(
  input: ListCliSessionsInput,
  dependencies: { store: { jobs: Pick<JobRepository, 'listJobs'> }; jobStatus: (jobId: string) => Promise<JobStatusReport> },
): Promise<ListedCliSession[]> {
  if (input.records.length === 0) return [];
  const jobs = await dependencies.store.jobs.listJobs({});
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const byName = new Map(jobs.filter((job) => job.mode === 'cli').map((job) => [job.name, job]));
  return Promise.all(
    input.records.map(async (record) => {
      const job = (record.job_id === null ? undefined : byId.get(record.job_id)) ?? (input.findByName ? byName.get(record.session_id) : undefined);
      const counts = job && input.withCounts ? (await dependencies.jobStatus(job.id)).counts : undefined;
      return { record, job, counts };
    }),
  );
}
