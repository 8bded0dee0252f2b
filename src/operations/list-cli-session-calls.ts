/**
 * Reading a CLI session's calls and images (the MCP `list_failures` and `list_results` tools):
 * pages of the calls that failed, were blocked or wait after an error, and of the images made,
 * each with its call's place in the session log (`0007`).
 */
import type { GeneratedImage } from '../core/image.js';
import { sessionJobIdWidth } from '../core/session-log.js';
import type { Task } from '../core/task.js';
import type { JobStatusReport } from '../engine/job-status.js';
import type { ImageRepository, JobRepository } from '../engine/ports.js';

/** A page: `limit` entries from `offset`. */
export interface SessionPageInput {
  jobId: string;
  limit: number;
  offset: number;
}

export interface CliSessionFailures {
  /** Calls failed, blocked or waiting after an error, in all. */
  total: number;
  /** The job's current error reasons, most frequent first. */
  reasons: JobStatusReport['errors'];
  /** This page of those calls, in plan order. */
  failures: Task[];
  /** Digits of the session log's call ids. */
  callIdWidth: number;
  /** Offset of the next page; undefined on the last. */
  nextOffset: number | undefined;
}

export async function listCliSessionFailures(
  input: SessionPageInput,
  dependencies: { store: { jobs: Pick<JobRepository, 'listTasks'> }; jobStatus: (jobId: string) => Promise<JobStatusReport> },
): Promise<CliSessionFailures> {
  const tasks = await dependencies.store.jobs.listTasks(input.jobId, {});
  const failing = tasks.filter((task) => task.status === 'failed' || task.status === 'blocked' || (task.status === 'queued' && task.lastErrorCode !== undefined));
  const page = failing.slice(input.offset, input.offset + input.limit);
  const report = await dependencies.jobStatus(input.jobId);
  return {
    total: failing.length,
    reasons: report.errors,
    failures: page,
    callIdWidth: sessionJobIdWidth(tasks.length),
    nextOffset: input.offset + page.length < failing.length ? input.offset + page.length : undefined,
  };
}

export interface CliSessionResults {
  /** This page of images, in completion order, each with its call's ordinal. */
  images: Array<{ image: GeneratedImage; callOrdinal: number }>;
  /** Digits of the session log's call ids. */
  callIdWidth: number;
  /** Offset of the next page; undefined on the last. */
  nextOffset: number | undefined;
}

export async function listCliSessionResults(
  input: SessionPageInput,
  dependencies: { store: { jobs: Pick<JobRepository, 'listTasks'>; images: Pick<ImageRepository, 'listImages'> } },
): Promise<CliSessionResults> {
  const tasks = await dependencies.store.jobs.listTasks(input.jobId, {});
  const ordinalByTask = new Map(tasks.map((task) => [task.id, task.ordinal]));
  // One more than asked tells whether another page follows.
  const images = await dependencies.store.images.listImages({ jobId: input.jobId, limit: input.limit + 1, offset: input.offset });
  return {
    images: images.slice(0, input.limit).map((image) => ({ image, callOrdinal: ordinalByTask.get(image.taskId) ?? 0 })),
    callIdWidth: sessionJobIdWidth(tasks.length),
    nextOffset: images.length > input.limit ? input.offset + input.limit : undefined,
  };
}
