/**
 * Fixtures for the store contract suite, written against ports only (no adapter tables): a job
 * input builder, and claiming, completing and setting back tasks through the `TaskQueue` port so a
 * test can put tasks in any state the way the engine does.
 */
import type { ClaimedTask, NewImageRecord, NewJobInput, ProviderLimitPolicy, Store, TaskOutcome } from '../../../src/engine/ports.js';
import type { Job } from '../../../src/core/job.js';

/** Fixed epoch ms the contract tests start from. */
export const baseMs = 1_700_000_000_000;

export const contractProvider = 'local';
export const contractModel = 'variations-v1';

/** Limits loose enough that claims are never held back by them. */
export const openPolicy: ProviderLimitPolicy = {
  providerKey: `${contractProvider}:${contractModel}`,
  providerId: contractProvider,
  requestsPerMinute: 0,
  maxConcurrency: 1_000,
  cooldownMs: 0,
  credentialFingerprint: undefined,
};

export interface JobInputOptions {
  jobId?: string;
  groupId: string;
  taskCount: number;
  /** Images per task; default 1. */
  imagesPerTask?: number;
  createdAtMs?: number;
  priority?: Job['priority'];
  mode?: Job['mode'];
  name?: string;
  /** Task key of ordinal n; default `key-<jobId>-<n>`. */
  keyOf?: (ordinal: number) => string;
  promptOf?: (ordinal: number) => string;
  referenceAssetIds?: string[];
}

/** A job input with `taskCount` tasks, ordinals 0..n-1, ids `<jobId>-task-<n>`. */
export function jobInput(options: JobInputOptions): NewJobInput {
  const jobId = options.jobId ?? 'job-1';
  const createdAtMs = options.createdAtMs ?? baseMs;
  const imagesPerTask = options.imagesPerTask ?? 1;
  return {
    job: {
      id: jobId,
      mode: options.mode ?? 'studio',
      groupId: options.groupId,
      name: options.name ?? 'Contract job',
      provider: contractProvider,
      model: contractModel,
      settings: { size: '1K', aspectRatio: '1:1' },
      lane: 'online',
      priority: options.priority ?? 'normal',
      execution: 'parallel',
      budgetUsd: undefined,
      estimatedCostUsd: options.taskCount * 0.01,
      createdAtMs,
    },
    tasks: Array.from({ length: options.taskCount }, (_unused, ordinal) => ({
      id: taskIdOf(jobId, ordinal),
      key: options.keyOf?.(ordinal) ?? `key-${jobId}-${ordinal}`,
      ordinal,
      prompt: options.promptOf?.(ordinal) ?? `a red chair, variation ${ordinal}`,
      promptId: 'prompt-1',
      referenceAssetIds: options.referenceAssetIds ?? [],
      maskAssetId: undefined,
      imageCount: imagesPerTask,
      seed: ordinal,
      setIndex: 0,
      variables: { ordinal: String(ordinal) },
      estimatedCostUsd: 0.01,
      createdAtMs,
    })),
  };
}

export function taskIdOf(jobId: string, ordinal: number): string {
  return `${jobId}-task-${ordinal}`;
}

/** Creates a group and a job in it; returns the job. */
export async function createJobInNewGroup(store: Store, options: Omit<JobInputOptions, 'groupId'> & { groupName?: string }): Promise<Job> {
  const group = await store.groups.createGroup(options.groupName ?? `Group of ${options.jobId ?? 'job-1'}`);
  return store.jobs.createJob(jobInput({ ...options, groupId: group.id }));
}

/** Claims the next runnable task (any job) at `nowMs`; throws when there is none. */
export async function claim(store: Store, nowMs: number): Promise<ClaimedTask> {
  const claimed = await store.queue.claimNext({ nowMs, workerId: 'contract-worker', leaseMs: 60_000, providers: [openPolicy] });
  if (!claimed) throw new Error('expected a runnable task to claim');
  return claimed;
}

/**
 * Claims tasks until the one with `taskId` is claimed; the others claimed on the way are given back
 * untouched (`releaseTask`: queued again, no attempt counted). Returns the target's claim.
 */
export async function claimTask(store: Store, taskId: string, nowMs: number): Promise<ClaimedTask> {
  const passedOver: ClaimedTask[] = [];
  try {
    for (let tries = 0; tries < 1_000; tries += 1) {
      const claimed = await claim(store, nowMs);
      if (claimed.task.id === taskId) return claimed;
      passedOver.push(claimed);
    }
    throw new Error(`task ${taskId} was never claimed`);
  } finally {
    for (const other of passedOver) await store.queue.releaseTask(other.task.id, other.leaseToken, nowMs);
  }
}

/** The image records a completed task of `imageCount` images writes. */
export function imageRecords(taskId: string, imageCount: number): NewImageRecord[] {
  return Array.from({ length: imageCount }, (_unused, index) => ({
    index,
    fileKey: `images/${taskId}-${index}.png`,
    thumbnailKey: `thumbnails/${taskId}-${index}.webp`,
    mediaType: 'image/png',
    width: 64,
    height: 64,
    byteSize: 1_000,
    // Above 2^31 (a CRC-32 is unsigned) on the first image; the others have none, as images written before it.
    ...(index === 0 ? { crc32: 0xfedcba98 } : {}),
    seed: index,
  }));
}

/** Completes a claimed task with its images and a cost (USD). */
export function complete(store: Store, claimed: ClaimedTask, nowMs: number, costUsd = 0.01): Promise<TaskOutcome> {
  return store.queue.completeTask({
    taskId: claimed.task.id,
    leaseToken: claimed.leaseToken,
    nowMs,
    images: imageRecords(claimed.task.id, claimed.task.imageCount),
    costUsd,
    warnings: [],
    providerKey: openPolicy.providerKey,
    maxConcurrency: openPolicy.maxConcurrency,
  });
}

/** Ends a claimed task as `failed` or `blocked`. */
export function endAs(store: Store, claimed: ClaimedTask, status: 'failed' | 'blocked', nowMs: number): Promise<TaskOutcome> {
  const errorCode = status === 'blocked' ? 'provider_blocked' : 'provider_invalid';
  return store.queue.setBackTask({ taskId: claimed.task.id, leaseToken: claimed.leaseToken, nowMs, setback: { kind: 'end', status, errorCode, message: `${status} on purpose` } });
}

/** Runs the whole job: claims each of its tasks and ends it as `outcomeOf(ordinal)` says. */
export async function runJob(store: Store, jobId: string, outcomeOf: (ordinal: number) => 'completed' | 'failed' | 'blocked', nowMs: number): Promise<void> {
  const tasks = await store.jobs.listTasks(jobId, { statuses: ['queued'] });
  for (const task of tasks) {
    const claimed = await claimTask(store, task.id, nowMs);
    const outcome = outcomeOf(task.ordinal);
    if (outcome === 'completed') await complete(store, claimed, nowMs);
    else await endAs(store, claimed, outcome, nowMs);
  }
}

/** Task statuses of a job, by ordinal. */
export async function taskStatusesOf(store: Store, jobId: string): Promise<string[]> {
  return (await store.jobs.listTasks(jobId, {})).map((task) => task.status);
}

/** The code of the ImagefleetError a promise rejects with, or undefined when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: String(code), message: String(message) };
  }
}
