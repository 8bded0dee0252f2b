/**
 * A job and every one of its tasks, in plan order: what a CLI session mirrors to label calls, place
 * images and rebuild its log. The job is undefined when it no longer exists (the caller decides).
 */
import type { Job } from '../core/job.js';
import type { Task } from '../core/task.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ReadJobPlanInput {
  /** The job to read. */
  jobId: string;
}

export interface JobPlan {
  /** The job as stored; undefined when there is none. */
  job: Job | undefined;
  /** All of its tasks, in plan order (none when the job is gone). */
  tasks: Task[];
}

export async function readJobPlan(input: ReadJobPlanInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<JobPlan> {
  const { jobs } = dependencies.store;
  const job = await jobs.getJob(input.jobId);
  const tasks = await jobs.listTasks(input.jobId, {});
  return { job, tasks };
}
