/** Jobs and their tasks: creation, lists, progress figures, queue placement. A port: adapters in src/store implement it. */
import type { FinishedCall } from '../../core/call-times.js';
import type { Job, Lane } from '../../core/job.js';
import type { Task } from '../../core/task.js';
import type { NewWebhookEndpoint } from './webhook-outbox.js';

export interface NewJobInput {
  job: Omit<Job, 'status' | 'statusReason' | 'spentUsd' | 'updatedAtMs' | 'finishedAtMs'>;
  /** Webhook endpoints told about the job's events, stored with the job in its transaction. Default: none. */
  webhooks?: NewWebhookEndpoint[] | undefined;
  /**
   * A group to create in the job's transaction: when no group has `name` (trimmed, NFC,
   * case-insensitive), it is inserted with `id`; when one has, the job goes to that group instead
   * and `job.groupId` is ignored. `invalid_input` (path `name`) for a name no group may have.
   * Default: none (the job goes to `job.groupId`).
   */
  createGroup?: { id: string; name: string } | undefined;
  tasks: Array<Omit<Task, 'jobId' | 'status' | 'attempts' | 'leaseExpirations' | 'lastErrorCode' | 'lastErrorMessage' | 'remoteHandle' | 'costUsd' | 'updatedAtMs' | 'finishedAtMs' | 'availableAtMs'>>;
}

export type TaskStatusCounts = Record<Task['status'], number>;

/** Raw figures behind a job's status report, read in one go. */
export interface JobProgressFigures {
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
  /** Images completed at or after `sinceMs`. */
  imagesCompletedSince: number;
  /** Most frequent current errors: failed/blocked tasks, and queued tasks waiting after an error. */
  errors: Array<{ code: string; message: string; taskCount: number; status: Task['status'] }>;
}

export interface JobRepository {
  /** Inserts the job and all its tasks in one transaction; nothing is written on failure. */
  createJob(input: NewJobInput): Promise<Job>;
  /** The most recent completed calls of a provider+model on a lane, newest first: what time estimates are calibrated from. */
  recentCalls(providerKey: string, lane: Lane, limit: number): Promise<FinishedCall[]>;
  getJob(jobId: string): Promise<Job | undefined>;
  listJobs(filter: { statuses?: Job['status'][]; groupId?: string; limit?: number }): Promise<Job[]>;
  taskCounts(jobId: string): Promise<TaskStatusCounts>;
  listTasks(jobId: string, filter: { statuses?: Task['status'][]; limit?: number; offset?: number }): Promise<Task[]>;
  /** Image counts per status, recent completions since `sinceMs`, and the top error reasons. */
  progressFigures(jobId: string, sinceMs: number, maxErrors: number): Promise<JobProgressFigures>;
  /** Keys among `keys` that already completed (in any job): re-running a plan skips them. */
  completedTaskKeys(keys: string[]): Promise<Set<string>>;
  getTask(taskId: string): Promise<Task | undefined>;
  /**
   * Unfinished jobs in the order the claimer considers them: queued and processing jobs by priority,
   * queue position, least recently served, age; then paused jobs in the same order. Each with its
   * image counts per task status.
   */
  listQueue(): Promise<QueueEntry[]>;
  /** One page of jobs, newest first (for `GET /api/jobs`). */
  listJobPage(filter: JobPageFilter): Promise<JobListEntry[]>;
  /**
   * Sets queue positions and priorities in one transaction. `not_found` for an unknown job,
   * `conflict` for a job that already finished; nothing is written then.
   */
  updateQueuePlacement(updates: QueuePlacementUpdate[], nowMs: number): Promise<void>;
  /** Tasks of the group's jobs (or one job of it) in the given statuses, with their job's provider and model, in job then plan order. */
  listTasksInGroup(groupId: string, filter: { jobId?: string; statuses: Task['status'][] }): Promise<Array<{ task: Task; provider: string; model: string; jobName: string }>>;
}

/** One unfinished job as the queue shows it. */
export interface QueueEntry {
  job: Job;
  /** 0 = not placed (takes turns); negative = moved ahead; positive = moved behind. */
  queuePosition: number;
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
}

/** Which jobs a page of `listJobPage` holds. */
export interface JobPageFilter {
  groupId?: string | undefined;
  mode?: Job['mode'] | undefined;
  statuses?: Job['status'][] | undefined;
  /** The last job of the previous page (its creation time and id); undefined = the newest. */
  before?: { createdAtMs: number; id: string } | undefined;
  /** Jobs per page. */
  limit: number;
}

/** A job with its image counts, as job lists show it. */
export interface JobListEntry {
  job: Job;
  /** Images (not tasks) per task status. */
  imagesByStatus: TaskStatusCounts;
}

/** A change to one job's place in the queue. */
export interface QueuePlacementUpdate {
  jobId: string;
  queuePosition?: number | undefined;
  priority?: Job['priority'] | undefined;
}
