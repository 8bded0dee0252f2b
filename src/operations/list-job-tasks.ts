/**
 * A job's planned calls in plan order, a page at a time, with the images of the completed ones:
 * what the studio draws placeholders from before any image exists.
 */
import type { GeneratedImage } from '../core/image.js';
import type { Job } from '../core/job.js';
import type { Task } from '../core/task.js';
import { getJob } from './get-job.js';
import type { OperationDependencies } from './operation-dependencies.js';

/** Task ids per image query (the repository's `IN (…)` budget). */
const imageQueryChunkSize = 900;

export interface ListJobTasksInput {
  /** The job whose tasks are listed. */
  jobId: string;
  /** Tasks to skip (the offset a previous page handed out); default 0. */
  offset?: number | undefined;
  /** Tasks per page. */
  limit: number;
}

export interface JobTaskPage {
  /** The job as stored. */
  job: Job;
  /** At most `limit` tasks, in plan order. */
  tasks: Task[];
  /** The images of each completed task of the page, by task id, in no particular order. */
  imagesByTask: ReadonlyMap<string, GeneratedImage[]>;
  /** The offset of the next page; undefined on the last one. */
  nextOffset: number | undefined;
}

/** `not_found` for an unknown job. */
export async function listJobTasks(input: ListJobTasksInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<JobTaskPage> {
  const job = await getJob({ jobId: input.jobId }, dependencies);
  const { jobs, images } = dependencies.store;
  const offset = input.offset ?? 0;
  // One more than asked tells whether another page exists without a count query.
  const page = await jobs.listTasks(input.jobId, { limit: input.limit + 1, offset });
  const tasks = page.slice(0, input.limit);
  const completedIds = tasks.filter((task) => task.status === 'completed').map((task) => task.id);
  const found: GeneratedImage[] = [];
  // Chunked to stay within the store's parameter budget per query.
  for (let start = 0; start < completedIds.length; start += imageQueryChunkSize) {
    found.push(...(await images.listImages({ jobId: input.jobId, taskIds: completedIds.slice(start, start + imageQueryChunkSize) })));
  }
  const imagesByTask = new Map<string, GeneratedImage[]>();
  for (const image of found) imagesByTask.set(image.taskId, [...(imagesByTask.get(image.taskId) ?? []), image]);
  return { job, tasks, imagesByTask, nextOffset: page.length > input.limit ? offset + input.limit : undefined };
}
