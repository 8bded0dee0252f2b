/**
 * What a group commit's accepted completions mean beyond their own task rows, the same on each
 * store (decision 0050): the spend each job adds, each limit key's concurrency and learned rate
 * after its successes (the rules applied once per success, in order), the `task.completed` events
 * in completion order, and the job-end probe once per job after its last completion, which alone
 * gets `finishedJob`. Stores write the task rows, spend and image rows in their own statements and
 * pass the reads and writes below, bound to the group commit's transaction.
 */
import type { PersistedDomainEvent } from '../../core/events.js';
import type { Job } from '../../core/job.js';
import { onSuccess } from '../limits/adaptive-concurrency.js';
import { learnedRateAfterSuccess, type StoredLearnedRate } from '../limits/learned-pacing.js';
import type { CompleteTaskInput, TaskOutcome } from '../ports/task-queue.js';

/** A completion whose fenced task update wrote its row; `index` is its place in the batch's outcomes. */
export interface AcceptedCompletion<Task extends { id: string; job_id: string }> {
  input: CompleteTaskInput;
  /** The completed task's row, as the store read it back. */
  task: Task;
  index: number;
}

/** A store's reads and writes for the rest of a group commit, inside its transaction. */
export interface CompletionBatchAccess {
  /** The key's learned concurrency limit; null or undefined when it has none (no cap learned). */
  readConcurrencyLimit: (providerKey: string) => Promise<number | null | undefined>;
  /** Stores the key's limit after the successes; undefined = grown back to the configured cap. */
  writeConcurrencyLimit: (providerKey: string, limit: number | undefined, nowMs: number) => Promise<void>;
  readLearnedRate: (providerKey: string) => Promise<StoredLearnedRate | undefined>;
  writeLearnedRate: (providerKey: string, learned: StoredLearnedRate, nowMs: number) => Promise<void>;
  /** Appends events in order, with their outbox rows; published after COMMIT. */
  appendEvents: (events: ReadonlyArray<PersistedDomainEvent & { nowMs: number }>) => Promise<void>;
  /** Closes the job when nothing of it is left to run (with `job.finished`); the finished job, if it closed. */
  finalizeJobIfDone: (jobId: string, nowMs: number) => Promise<Job | undefined>;
}

/** The accepted completions by job, in batch order within each job. */
export function completionsByJob<Task extends { id: string; job_id: string }>(accepted: ReadonlyArray<AcceptedCompletion<Task>>): Map<string, Array<AcceptedCompletion<Task>>> {
  const byJob = new Map<string, Array<AcceptedCompletion<Task>>>();
  for (const completion of accepted) {
    const completions = byJob.get(completion.task.job_id);
    if (completions) completions.push(completion);
    else byJob.set(completion.task.job_id, [completion]);
  }
  return byJob;
}

/**
 * Writes the limits, events and job ends of the accepted completions, and sets `finishedJob` on
 * the outcome of each job's last completion when that closed the job.
 */
export async function finishCompletionBatch<Task extends { id: string; job_id: string }>(accepted: ReadonlyArray<AcceptedCompletion<Task>>, outcomes: TaskOutcome[], access: CompletionBatchAccess): Promise<void> {
  const byKey = new Map<string, CompleteTaskInput[]>();
  for (const { input } of accepted) {
    const completions = byKey.get(input.providerKey);
    if (completions) completions.push(input);
    else byKey.set(input.providerKey, [input]);
  }
  for (const [providerKey, completions] of byKey) {
    const lastNowMs = completions.at(-1)!.nowMs;
    const stored = await access.readConcurrencyLimit(providerKey);
    if (stored !== null && stored !== undefined) {
      // Additive increase once per success; once grown back to the cap there is nothing left to learn.
      let limit: number | undefined = stored;
      for (const completion of completions) {
        if (limit === undefined) break;
        limit = onSuccess(limit, completion.maxConcurrency);
      }
      await access.writeConcurrencyLimit(providerKey, limit, lastNowMs);
    }
    let learned = await access.readLearnedRate(providerKey);
    for (const completion of completions) learned = learnedRateAfterSuccess(learned, completion.nowMs);
    if (learned) await access.writeLearnedRate(providerKey, learned, lastNowMs);
  }

  await access.appendEvents(
    accepted.map(({ input, task }) => ({
      type: 'task.completed',
      jobId: task.job_id,
      taskId: task.id,
      payload: { imageCount: input.images.length, costUsd: input.costUsd, warnings: input.warnings },
      nowMs: input.nowMs,
    })),
  );
  for (const completions of completionsByJob(accepted).values()) {
    const last = completions.at(-1)!;
    const finishedJob = await access.finalizeJobIfDone(last.task.job_id, last.input.nowMs);
    if (finishedJob) outcomes[last.index] = { accepted: true, finishedJob };
  }
}
