import type { Job } from '../core/job.js';
import { jobNotFound } from '../core/job-lifecycle.js';
import { rateWindowOf, summarizeJobProgress } from '../core/job-progress.js';
import type { Clock, JobRepository } from './ports.js';

/** Error reasons a status report lists at most. */
const maxErrorsReported = 10;

/** What every face shows about a job: the API's status route, the CLI's status and progress, the web job page. */
export interface JobStatusReport {
  job: Job;
  /** Images (not tasks) by state. `pending` = queued. */
  counts: { total: number; pending: number; running: number; completed: number; failed: number; blocked: number; canceled: number };
  /** Finished images (completed, failed, blocked, canceled) ÷ total, 0..1. */
  progress: number;
  /** Images completed per minute over the last five minutes (or since the job started, if later) — of its run, for a finished job. */
  ratePerMinute: number;
  /** Seconds until the pending and running images are done at the current rate; undefined while no rate is known or the job is not running. */
  etaSeconds: number | undefined;
  cost: { estimatedUsd: number; spentUsd: number };
  /** Current error reasons, most frequent first. */
  errors: Array<{ code: string; message: string; taskCount: number; status: string }>;
}

/** Builds the status report of one job; `not_found` when it does not exist. */
export async function getJobStatus(jobId: string, dependencies: { jobs: JobRepository; clock: Clock }): Promise<JobStatusReport> {
  const job = await dependencies.jobs.getJob(jobId);
  if (!job) throw jobNotFound(jobId);
  const window = rateWindowOf(job, dependencies.clock.now());
  const figures = await dependencies.jobs.progressFigures(jobId, window.startMs, maxErrorsReported);
  return {
    job,
    ...summarizeJobProgress(job, figures.imagesByStatus, figures.imagesCompletedSince, window),
    cost: { estimatedUsd: job.estimatedCostUsd, spentUsd: job.spentUsd },
    errors: figures.errors,
  };
}
