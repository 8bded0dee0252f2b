/**
 * Retrying calls of a session (`retry`, the MCP `retry_session` tool): the shell side of the
 * `retryCliSession` operation (see there for which calls are retried). The caller runs the session.
 */
import type { Job } from '../../core/job.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { assertCliSessionNotCanceled, namedRetryTaskIds, retryCliSession } from '../../operations/retry-cli-session.js';
import { sessionOperationDependencies } from './session-operation-wiring.js';
import type { SessionRecord } from './session-records.js';

/** `conflict` for a canceled session: it cannot run again. */
export const assertNotCanceled = assertCliSessionNotCanceled;

/** The tasks the named calls stand for; `invalid_input` for an unknown id or a call that did not fail. */
export async function namedRetryTasks(fleet: Fleet, record: SessionRecord, job: Job, callIds: readonly string[]): Promise<string[]> {
  return namedRetryTaskIds({ session: record, job, callIds }, sessionOperationDependencies(fleet));
}

/** Queues the calls again (and wakes the engine); returns how many were queued. */
export async function retryCalls(fleet: Fleet, record: SessionRecord, job: Job, callIds: readonly string[]): Promise<number> {
  return retryCliSession({ session: record, job, callIds }, sessionOperationDependencies(fleet));
}
