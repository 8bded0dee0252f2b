/**
 * Canceling a session (`cancel`, the MCP `cancel_session` tool): calls not started are dropped,
 * calls in flight are aborted (in this process at once; in another at its next heartbeat);
 * completed images stay in the output tree and the store, and the session log is rewritten.
 */
import { ImagefleetError } from '../../core/errors.js';
import type { Job, JobStatus } from '../../core/job.js';
import type { SessionLogSummary } from '../../core/session-log.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { syncSessionOutputs } from './session-runner.js';
import type { SessionRecord } from './session-records.js';

export interface CanceledSession {
  status: JobStatus;
  summary: SessionLogSummary;
  logPath: string;
}

/** `conflict` when the session already ended. */
export async function cancelSession(fleet: Fleet, record: SessionRecord, job: Job): Promise<CanceledSession> {
  if (job.status === 'completed' || job.status === 'failed') {
    throw new ImagefleetError('conflict', `Session ${record.session_id} already ${job.status === 'completed' ? 'completed' : 'finished (with failures)'}; there is nothing left to cancel.`);
  }
  const canceled = await fleet.engine.cancelJob(job.id);
  const { summary, logPath } = await syncSessionOutputs(fleet, record, job.id);
  return { status: canceled.status, summary, logPath };
}
