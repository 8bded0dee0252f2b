/**
 * Upgrading a session (`upgrade`, the MCP `upgrade_session` tool): its completed images again at a
 * larger size (same prompt, references and seed), as a new session whose files land beside the old
 * ones in the same output tree. Planned first (nothing stored), then submitted; the caller runs it.
 */
import type { ImageSize } from '../../core/image-size.js';
import type { Job } from '../../core/job.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { planCliSessionUpgrade, startCliSessionUpgrade, type PlannedCliSessionUpgrade } from '../../operations/upgrade-cli-session.js';
import type { PlanPreview } from './plan-summary.js';
import { sessionOperationDependencies } from './session-operation-wiring.js';
import type { SessionRecord } from './session-records.js';

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
  /** The operation's plan, handed back to `submitUpgrade`. */
  planned: PlannedCliSessionUpgrade;
}

export async function prepareUpgrade(fleet: Fleet, record: SessionRecord, job: Job, size: ImageSize): Promise<PreparedUpgrade> {
  const planned = await planCliSessionUpgrade({ source: record, sourceJob: job, size }, sessionOperationDependencies(fleet));
  const preview = planned.planned;
  return {
    sessionId: planned.sessionId,
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
    planned,
  };
}

/** Writes the new session's record and creates its job; returns the saved record and job id. */
export async function submitUpgrade(fleet: Fleet, prepared: PreparedUpgrade, cwd: string): Promise<{ record: SessionRecord; jobId: string; callCount: number }> {
  const created = await startCliSessionUpgrade({ planned: prepared.planned, cwd }, sessionOperationDependencies(fleet));
  return { record: created.record, jobId: created.job.id, callCount: created.callCount };
}
