/**
 * Opens the fleet for a command about an existing session (status, resume, retry, upgrade, cancel):
 * finds the session's record first (an unknown id fails before the store is touched), applies the
 * provider limits the session was started with, and finds its job.
 */
import type { Command } from 'commander';
import type { Job } from '../../core/job.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import type { CliContext } from '../cli-context.js';
import { cliConfig, openCliFleet, withProviderLimits } from './open-cli-fleet.js';
import { findSessionJob, findSessionRecord, type SessionRecord } from './session-records.js';

export interface OpenedSession {
  fleet: Fleet;
  record: SessionRecord;
  job: Job;
}

export async function openSession(context: CliContext, command: Command, sessionArgument: string | undefined): Promise<OpenedSession> {
  const base = cliConfig(context, command);
  const record = await findSessionRecord(base, sessionArgument);
  let config = base;
  const recorded = record.config;
  if (typeof recorded.provider === 'string') {
    try {
      config = withProviderLimits(base, {
        provider: recorded.provider,
        concurrency: numberOrUndefined(recorded.concurrency),
        rpm: recorded.rpm === 'auto' ? 'auto' : numberOrUndefined(recorded.rpm),
        cooldownMs: numberOrUndefined(recorded.cooldown_ms),
      });
    } catch {
      // Limits that cannot be applied to this provider were refused when the session started.
    }
  }
  const fleet = await openCliFleet(context, command, config);
  try {
    return { fleet, record, job: await findSessionJob(fleet, record) };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
