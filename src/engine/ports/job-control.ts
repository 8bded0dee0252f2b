/** Pausing, resuming, canceling and retrying jobs and tasks. A port: adapters in src/store implement it. */
import type { Job } from '../../core/job.js';
import type { Task } from '../../core/task.js';

/**
 * Job control. The rules (what is allowed from which status, the errors, what is written) are
 * `core/job-lifecycle.ts`; an adapter reads the snapshot, asks them and writes the answer with its
 * event in one transaction. Cancel clears running tasks' lease tokens, so their workers'
 * completions are refused.
 */
export interface JobControl {
  /** Pauses a queued or processing job (`reason` default "Paused by the user."); a paused job is returned as it is; `conflict` for a finished one. */
  pauseJob(jobId: string, reason: string | undefined, nowMs: number): Promise<Job>;
  /** Resumes a paused job (finishing it when its tasks all ended meanwhile); an active job is returned as it is; `conflict` for a finished one. */
  resumeJob(jobId: string, nowMs: number): Promise<Job>;
  /** Cancels an unfinished job with its queued and running tasks; a canceled job is returned as it is; `conflict` for a completed or failed one. */
  cancelJob(jobId: string, nowMs: number): Promise<Job>;
  /** Requeues failed (not blocked, not completed) tasks with fresh attempts. Returns how many. `conflict` for a canceled job. */
  retryFailed(jobId: string, nowMs: number): Promise<number>;
  /**
   * Requeues the given failed or blocked tasks of the job with fresh attempts (an explicit retry,
   * e.g. `imagefleet retry SESSION --job 0007`). Returns how many; other statuses are left alone.
   */
  retryTasks(jobId: string, taskIds: string[], nowMs: number): Promise<number>;
  /**
   * Cancels one queued or running task (its lease token is cleared, so a late completion is
   * refused and never billed) and closes the job when that was its last unfinished task.
   * `not_found` for an unknown task, `conflict` for one that already finished otherwise.
   */
  cancelTask(taskId: string, nowMs: number): Promise<TaskCancellation>;
}

export interface TaskCancellation {
  /** The task after the cancel. */
  task: Task;
  /** The job after the cancel (finished when this was its last unfinished task). */
  job: Job;
  /** Whether this cancel finished the job. */
  finishedJob: boolean;
  /** False when the task was canceled already (nothing changed). */
  changed: boolean;
}
