/**
 * Retrying calls of a session (`retry`, the MCP `retry_session` tool). Without call ids, every
 * failed call (blocked ones are left alone: the same prompt would be blocked again); with ids (the
 * session log's `0007`), exactly those, failed or blocked. The calls get fresh attempts; the caller
 * runs the session.
 */
import { ImagefleetError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { formatSessionJobId, parseSessionJobId, sessionJobIdWidth } from '../../core/session-log.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { usage } from './generation-options.js';
import type { SessionRecord } from './session-records.js';

/** `conflict` for a canceled session: it cannot run again. */
export function assertNotCanceled(record: SessionRecord, job: Job, verb: 'resumed' | 'retried'): void {
  if (job.status === 'canceled') {
    throw new ImagefleetError('conflict', `Session ${record.session_id} was canceled, so it cannot be ${verb}; start a new one with "imagefleet run".`);
  }
}

/** The tasks the named calls stand for; `invalid_input` for an unknown id or a call that did not fail. */
export async function namedRetryTasks(fleet: Fleet, record: SessionRecord, job: Job, callIds: readonly string[]): Promise<string[]> {
  const tasks = await fleet.store.jobs.listTasks(job.id, {});
  const byOrdinal = new Map(tasks.map((task) => [task.ordinal, task]));
  const width = sessionJobIdWidth(tasks.length);
  const taskIds: string[] = [];
  for (const id of callIds) {
    const ordinal = parseSessionJobId(id);
    const task = ordinal === undefined ? undefined : byOrdinal.get(ordinal);
    if (!task) {
      throw usage(`Session ${record.session_id} has no job "${id}"; its jobs are ${formatSessionJobId(0, width)} to ${formatSessionJobId(tasks.length - 1, width)} (see "imagefleet status ${record.session_id}" or its session log).`);
    }
    if (task.status !== 'failed' && task.status !== 'blocked') {
      throw usage(`Job ${formatSessionJobId(task.ordinal, width)} of session ${record.session_id} is ${task.status === 'queued' ? 'waiting to run' : task.status}; only failed or blocked jobs can be retried.`);
    }
    taskIds.push(task.id);
  }
  return taskIds;
}

/** Queues the calls again; returns how many were queued. */
export async function retryCalls(fleet: Fleet, record: SessionRecord, job: Job, callIds: readonly string[]): Promise<number> {
  assertNotCanceled(record, job, 'retried');
  if (callIds.length > 0) return fleet.store.control.retryTasks(job.id, await namedRetryTasks(fleet, record, job, callIds), Date.now());
  return fleet.engine.retryFailed(job.id);
}
