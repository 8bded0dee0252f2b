/**
 * Upgrading a CLI session (`upgrade`, the MCP `upgrade_session` tool; decision 0018): its
 * completed images again at a larger size (same prompt, references and seed), as a new session
 * whose files land beside the old ones. Planned first (nothing stored), then created; the caller
 * runs it. The job itself is made by the `upgradeJob` operation.
 */
import { ImagefleetError } from '../core/errors.js';
import type { ImageSize } from '../core/image-size.js';
import type { Job } from '../core/job.js';
import type { Clock } from '../engine/ports.js';
import { freshCliSessionId, type CliSessionRecord, type CliSessionRecords } from './cli-session-record.js';
import type { UpgradeJobInput, UpgradeJobResult } from './upgrade-job.js';

/** The upgrade operation as the fleet wires it (plans, creates, wakes the engine). */
export type UpgradeJobCall = (input: UpgradeJobInput, options?: { dryRun?: boolean }) => Promise<UpgradeJobResult>;

export interface CliSessionUpgradeInput {
  /** The session upgraded and its job. */
  source: CliSessionRecord;
  sourceJob: Job;
  /** The new size; larger than the session's. */
  size: ImageSize;
}

export interface PlannedCliSessionUpgrade extends CliSessionUpgradeInput {
  /** The new session's id. */
  sessionId: string;
  /** What the upgrade makes and costs (nothing stored). */
  planned: UpgradeJobResult;
}

/** Picks the new session's id and plans the upgrade; nothing is stored. */
export async function planCliSessionUpgrade(
  input: CliSessionUpgradeInput,
  dependencies: { upgradeJob: UpgradeJobCall; records: Pick<CliSessionRecords, 'read'>; clock: Pick<Clock, 'now'>; random: () => number },
): Promise<PlannedCliSessionUpgrade> {
  const sessionId = await freshCliSessionId(dependencies);
  const planned = await dependencies.upgradeJob({ jobId: input.sourceJob.id, size: input.size, name: sessionId }, { dryRun: true });
  return { ...input, sessionId, planned };
}

/**
 * Writes the new session's record and creates its job; `invalid_input` (and no record) when
 * nothing is left to upgrade.
 */
export async function startCliSessionUpgrade(
  input: { planned: PlannedCliSessionUpgrade; cwd: string },
  dependencies: { upgradeJob: UpgradeJobCall; records: Pick<CliSessionRecords, 'write' | 'remove'>; clock: Pick<Clock, 'now'> },
): Promise<{ record: CliSessionRecord; job: Job; callCount: number }> {
  const { sessionId, source, size } = input.planned;
  const record: CliSessionRecord = {
    version: 1,
    session_id: sessionId,
    job_id: null,
    created: new Date(dependencies.clock.now()).toISOString(),
    cwd: input.cwd,
    out: source.out,
    layout: source.layout,
    parent_session: source.session_id,
    config: { ...source.config, command: 'upgrade', size, upgrade_of: source.session_id },
  };
  // The record first: a crash before the job exists leaves a session that says so.
  await dependencies.records.write(record);
  const created = await dependencies.upgradeJob({ jobId: input.planned.sourceJob.id, size, name: sessionId });
  if (!created.job) {
    await dependencies.records.remove(sessionId);
    throw new ImagefleetError('invalid_input', `Nothing to upgrade in session ${source.session_id}.`);
  }
  const saved: CliSessionRecord = { ...record, job_id: created.job.id };
  await dependencies.records.write(saved);
  return { record: saved, job: created.job, callCount: created.tasks.length };
}
