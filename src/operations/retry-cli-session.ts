/**
 * Retrying calls of a CLI session (`retry`, the MCP `retry_session` tool; decision 0018). Without
 * call ids, every failed call (blocked ones are left alone: the same prompt would be blocked
 * again); with ids (the session log's `0007`), exactly those, failed or blocked. The calls get
 * fresh attempts and the engine is woken; the caller runs the session.
 */
import { ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { formatSessionJobId, parseSessionJobId, sessionJobIdWidth } from '../core/session-log.js';
import type { Engine } from '../engine/engine.js';
import type { JobStatusReport } from '../engine/job-status.js';
import type { Clock, JobControl, JobRepository } from '../engine/ports.js';
import type { CliSessionRecord } from './cli-session-record.js';

/** Which calls of which session: the session's record, its job, and the call ids (empty = every failed call). */
export interface RetryCliSessionInput {
  session: Pick<CliSessionRecord, 'session_id'>;
  job: Job;
  /** Session log ids such as `0007`; empty = every failed call. */
  callIds: readonly string[];
}

/** `conflict` for a canceled session: it cannot run again. */
export function assertCliSessionNotCanceled(session: Pick<CliSessionRecord, 'session_id'>, job: Job, verb: 'resumed' | 'retried'): void {
  if (job.status === 'canceled') {
    throw new ImagefleetError('conflict', `Session ${session.session_id} was canceled, so it cannot be ${verb}; start a new one with "imagefleet run".`);
  }
}

/** The tasks the named calls stand for; `invalid_input` for an unknown id or a call that did not fail. */
export async function namedRetryTaskIds(input: RetryCliSessionInput, dependencies: { store: { jobs: Pick<JobRepository, 'listTasks'> } }): Promise<string[]> {
  const { session, job } = input;
  const tasks = await dependencies.store.jobs.listTasks(job.id, {});
  const byOrdinal = new Map(tasks.map((task) => [task.ordinal, task]));
  const width = sessionJobIdWidth(tasks.length);
  const taskIds: string[] = [];
  for (const id of input.callIds) {
    const ordinal = parseSessionJobId(id);
    const task = ordinal === undefined ? undefined : byOrdinal.get(ordinal);
    if (!task) {
      throw new ImagefleetError(
        'invalid_input',
        `Session ${session.session_id} has no job "${id}"; its jobs are ${formatSessionJobId(0, width)} to ${formatSessionJobId(tasks.length - 1, width)} (see "imagefleet status ${session.session_id}" or its session log).`,
      );
    }
    if (task.status !== 'failed' && task.status !== 'blocked') {
      throw new ImagefleetError(
        'invalid_input',
        `Job ${formatSessionJobId(task.ordinal, width)} of session ${session.session_id} is ${task.status === 'queued' ? 'waiting to run' : task.status}; only failed or blocked jobs can be retried.`,
      );
    }
    taskIds.push(task.id);
  }
  return taskIds;
}

/** Queues the calls again and wakes the engine; returns how many were queued. */
export async function retryCliSession(
  input: RetryCliSessionInput,
  dependencies: { store: { jobs: Pick<JobRepository, 'listTasks'>; control: Pick<JobControl, 'retryTasks'> }; engine: Pick<Engine, 'retryFailed' | 'wake'>; clock: Pick<Clock, 'now'> },
): Promise<number> {
  assertCliSessionNotCanceled(input.session, input.job, 'retried');
  if (input.callIds.length === 0) return dependencies.engine.retryFailed(input.job.id);
  const retried = await dependencies.store.control.retryTasks(input.job.id, await namedRetryTaskIds(input, dependencies), dependencies.clock.now());
  // Queued again: a claimer waiting out its idle poll would otherwise start them late.
  dependencies.engine.wake();
  return retried;
}

/**
 * What retrying would cost, USD, before anything is queued: every failed image at the job's
 * estimated price per image, or the named calls' share of the job's estimate.
 */
export async function estimateCliSessionRetry(
  input: RetryCliSessionInput,
  dependencies: { store: { jobs: Pick<JobRepository, 'listTasks'> }; jobStatus: (jobId: string) => Promise<JobStatusReport> },
): Promise<{ estimateUsd: number; report: JobStatusReport }> {
  assertCliSessionNotCanceled(input.session, input.job, 'retried');
  const report = await dependencies.jobStatus(input.job.id);
  const pricePerImageUsd = report.counts.total === 0 ? 0 : report.cost.estimatedUsd / report.counts.total;
  if (input.callIds.length === 0) return { estimateUsd: report.counts.failed * pricePerImageUsd, report };
  const named = await namedRetryTaskIds(input, dependencies);
  const callCount = (await dependencies.store.jobs.listTasks(input.job.id, {})).length;
  return { estimateUsd: callCount === 0 ? 0 : (named.length * report.cost.estimatedUsd) / callCount, report };
}
