/**
 * The figures every face shows about a job (the API's status route, the CLI's status and progress,
 * the web job page): progress, completion rate and ETA, from the job and its image counts. Pure.
 */
import { isActiveJobStatus } from './job-lifecycle.js';
import type { Job } from './job.js';
import type { TaskStatus } from './task.js';

/** The window over which the completion rate is measured, ms. */
export const completionRateWindowMs = 5 * 60_000;

/** The shortest window a rate is measured over, in minutes (one second), so a just-started job has no infinite rate. */
const minimumWindowMinutes = 1 / 60;

/** Where the rate window of a job starts, and the moment it is measured at (epoch ms). */
export interface RateWindow {
  /** A finished job's rate is measured up to its end, so it stays what it was instead of sinking with every minute after. */
  endMs: number;
  /** The last five minutes, or since the job was created if later. */
  startMs: number;
}

export function rateWindowOf(job: Pick<Job, 'createdAtMs' | 'finishedAtMs'>, nowMs: number): RateWindow {
  const endMs = job.finishedAtMs ?? nowMs;
  return { endMs, startMs: Math.max(endMs - completionRateWindowMs, job.createdAtMs) };
}

/** A job's progress as people read it. */
export interface JobProgress {
  /** Images (not tasks) by state. `pending` = queued. */
  counts: { total: number; pending: number; running: number; completed: number; failed: number; blocked: number; canceled: number };
  /** Finished images (completed, failed, blocked, canceled) ÷ total, 0..1; 1 for a job with no images. */
  progress: number;
  /** Images completed per minute over the rate window, rounded to hundredths. */
  ratePerMinute: number;
  /** Seconds until the pending and running images are done at the current rate; undefined while no rate is known or the job is not running. */
  etaSeconds: number | undefined;
}

/**
 * Progress of `job` from its images per task status and the images completed within `window`.
 * The ETA is 0 for an active job with nothing left, and unknown (undefined) for one with work left
 * but no completions yet, and for a job that is not running.
 */
export function summarizeJobProgress(
  job: Pick<Job, 'status'>,
  imagesByStatus: Record<TaskStatus, number>,
  imagesCompletedInWindow: number,
  window: RateWindow,
): JobProgress {
  const images = imagesByStatus;
  const total = images.queued + images.running + images.completed + images.failed + images.blocked + images.canceled;
  const finished = images.completed + images.failed + images.blocked + images.canceled;
  const windowMinutes = Math.max((window.endMs - window.startMs) / 60_000, minimumWindowMinutes);
  const ratePerMinute = imagesCompletedInWindow / windowMinutes;
  const remaining = images.queued + images.running;
  const active = isActiveJobStatus(job.status);
  return {
    counts: { total, pending: images.queued, running: images.running, completed: images.completed, failed: images.failed, blocked: images.blocked, canceled: images.canceled },
    progress: total === 0 ? 1 : finished / total,
    ratePerMinute: Math.round(ratePerMinute * 100) / 100,
    etaSeconds: active && ratePerMinute > 0 ? Math.ceil((remaining / ratePerMinute) * 60) : active && remaining === 0 ? 0 : undefined,
  };
}
