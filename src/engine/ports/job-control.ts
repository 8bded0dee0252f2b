/** Pausing, resuming, canceling and retrying jobs and tasks. A port: adapters in src/store implement it. */
import type { Job } from '../../core/job.js';
import type { Task } from '../../core/task.js';

/** Job control. Cancel clears running tasks' lease tokens, so their workers' completions are refused. */
export interface JobControl {
  pauseJob(jobId: string, reason: string | undefined, nowMs: number): Promise<Job>;
  resumeJob(jobId: string, nowMs: number): Promise<Job>;
  cancelJob(jobId: string, nowMs: number): Promise<Job>;
  /** Requeues failed (not blocked, not completed) tasks with fresh attempts. Returns how many. */
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
  task: Task;
  /** The job after the cancel (finished when this was its last unfinished task). */
  job: Job;
  /** Whether this cancel finished the job. */
  finishedJob: boolean;
  /** False when the task was canceled already (nothing changed). */
  changed: boolean;
}
