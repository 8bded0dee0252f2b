/**
 * Canceling a CLI session (`cancel`, the MCP `cancel_session` tool; decision 0018): calls not
 * started are dropped, calls in flight are aborted (in this process at once; in another at its
 * next heartbeat); completed images stay. The shell then brings the output tree and log up to date.
 */
import { ImagefleetError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { Engine } from '../engine/engine.js';
import type { CliSessionRecord } from './cli-session-record.js';

/** The canceled job; `conflict` when the session already ended. */
export async function cancelCliSession(input: { session: Pick<CliSessionRecord, 'session_id'>; job: Job }, dependencies: { engine: Pick<Engine, 'cancelJob'> }): Promise<Job> {
  const { session, job } = input;
  if (job.status === 'completed' || job.status === 'failed') {
    throw new ImagefleetError('conflict', `Session ${session.session_id} already ${job.status === 'completed' ? 'completed' : 'finished (with failures)'}; there is nothing left to cancel.`);
  }
  return dependencies.engine.cancelJob(job.id);
}
