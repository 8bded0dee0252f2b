/**
 * Canceling a session (`cancel`, the MCP `cancel_session` tool): calls not started are dropped,
 * calls in flight are aborted (in this process at once; in another at its next heartbeat);
 * completed images stay in the output tree and the store, and the session log is rewritten.
 */
import type { Job, JobStatus } from '../../core/job.js';
import type { SessionLogSummary } from '../../core/session-log.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { cancelCliSession } from '../../operations/cancel-cli-session.js';
import { syncSessionOutputs } from './session-runner.js';
import type { SessionRecord } from './session-records.js';

export interface CanceledSession {
  status: JobStatus;
  summary: SessionLogSummary;
  logPath: string;
}

/** The `cancelCliSession` operation, then the output tree and log brought up to date. `conflict` when the session already ended. */
export async function cancelSession(fleet: Fleet, record: SessionRecord, job: Job): Promise<CanceledSession> {
  const canceled = await cancelCliSession({ session: record, job }, { engine: fleet.engine });
  const { summary, logPath } = await syncSessionOutputs(fleet, record, job.id);
  return { status: canceled.status, summary, logPath };
}
