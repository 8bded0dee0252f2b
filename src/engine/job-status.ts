import { ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { Clock, JobRepository } from './ports.js';

/** The window over which the completion rate is measured. */
export const rateWindowMs = 5 * 60_000;
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
  if (!job) throw new ImagefleetError('not_found', `No job with id ${jobId}.`);
  // A finished job's rate is measured up to its end, so it stays what it was instead of sinking with every minute after.
  const nowMs = job.finishedAtMs ?? dependencies.clock.now();
  const windowStartMs = Math.max(nowMs - rateWindowMs, job.createdAtMs);
  const figures = await dependencies.jobs.progressFigures(jobId, windowStartMs, maxErrorsReported);
  const images = figures.imagesByStatus;
  const total = images.queued + images.running + images.completed + images.failed + images.blocked + images.canceled;
  const finished = images.completed + images.failed + images.blocked + images.canceled;
  const windowMinutes = Math.max((nowMs - windowStartMs) / 60_000, 1 / 60);
  const ratePerMinute = figures.imagesCompletedSince / windowMinutes;
  const remaining = images.queued + images.running;
  const active = job.status === 'queued' || job.status === 'processing';
  return {
    job,
    counts: { total, pending: images.queued, running: images.running, completed: images.completed, failed: images.failed, blocked: images.blocked, canceled: images.canceled },
    progress: total === 0 ? 1 : finished / total,
    ratePerMinute: Math.round(ratePerMinute * 100) / 100,
    etaSeconds: active && ratePerMinute > 0 ? Math.ceil((remaining / ratePerMinute) * 60) : active && remaining === 0 ? 0 : undefined,
    cost: { estimatedUsd: job.estimatedCostUsd, spentUsd: job.spentUsd },
    errors: figures.errors,
  };
}
