/**
 * Upgrading a session (`upgrade`, the MCP `upgrade_session` tool): its completed images again at a
 * larger size (same prompt, references and seed), as a new session whose files land beside the old
 * ones in the same output tree. Planned first (nothing stored), then submitted; the caller runs it.
 */
import type { ImageSize } from '../../core/image-size.js';
import type { Job } from '../../core/job.js';
import { newSessionId } from '../../core/session-log.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { usage } from './generation-options.js';
import type { PlanPreview } from './plan-summary.js';
import { readSessionRecord, removeSessionRecord, writeSessionRecord, type SessionRecord } from './session-records.js';

/** A planned upgrade: the new session's id and what it will make and cost. */
export interface PreparedUpgrade {
  sessionId: string;
  source: SessionRecord;
  sourceJob: Job;
  size: ImageSize;
  preview: PlanPreview;
  /** Calls the upgrade makes; 0 = nothing to upgrade. */
  callCount: number;
  /** Completed images already upgraded to this size earlier (left out). */
  skippedTaskCount: number;
  /** The estimated cost on the session's lane, USD. */
  costUsd: number;
}

export async function prepareUpgrade(fleet: Fleet, record: SessionRecord, job: Job, size: ImageSize): Promise<PreparedUpgrade> {
  let sessionId = newSessionId(Date.now(), Math.random);
  while (await readSessionRecord(fleet.config.dataDir, sessionId)) sessionId = newSessionId(Date.now(), Math.random);
  const preview = await fleet.upgradeJob({ jobId: job.id, size, name: sessionId }, { dryRun: true });
  return {
    sessionId,
    source: record,
    sourceJob: job,
    size,
    callCount: preview.tasks.length,
    skippedTaskCount: preview.skippedTaskCount,
    costUsd: preview.estimate.costUsdByLane[job.lane] ?? 0,
    preview: {
      shape: `the ${preview.tasks.length + preview.skippedTaskCount} completed image(s) of ${record.session_id} at ${size}`,
      provider: job.provider,
      model: job.model,
      size,
      aspect: job.settings.aspectRatio,
      lane: job.lane,
      estimate: preview.estimate,
      warnings: [...preview.warnings, ...(preview.skippedTaskCount > 0 ? [`${preview.skippedTaskCount} of them were already upgraded to ${size}: left out`] : [])],
      out: record.out,
      layout: record.layout,
    },
  };
}

/** Writes the new session's record and creates its job; returns the saved record and job id. */
export async function submitUpgrade(fleet: Fleet, prepared: PreparedUpgrade, cwd: string): Promise<{ record: SessionRecord; jobId: string; callCount: number }> {
  const { sessionId, source, size } = prepared;
  const upgradeRecord: SessionRecord = {
    version: 1,
    session_id: sessionId,
    job_id: null,
    created: new Date().toISOString(),
    cwd,
    out: source.out,
    layout: source.layout,
    parent_session: source.session_id,
    config: { ...source.config, command: 'upgrade', size, upgrade_of: source.session_id },
  };
  await writeSessionRecord(fleet.config.dataDir, upgradeRecord);
  const created = await fleet.upgradeJob({ jobId: prepared.sourceJob.id, size, name: sessionId });
  if (!created.job) {
    await removeSessionRecord(fleet.config.dataDir, sessionId);
    throw usage(`Nothing to upgrade in session ${source.session_id}.`);
  }
  const saved = { ...upgradeRecord, job_id: created.job.id };
  await writeSessionRecord(fleet.config.dataDir, saved);
  return { record: saved, jobId: created.job.id, callCount: created.tasks.length };
}
