/**
 * The opening of every claim, the same on each store (decision 0039 keeps the queries per store,
 * not the rules): read the limit snapshot, decide which limit keys may start a task, write the
 * pauses the rules lifted (even when nothing is eligible, so a lifted pause does not wait for the
 * next claim), then read the runnable jobs of the eligible keys and plan over the snapshot with the
 * lifts applied. The store passes its reads and writes, bound to its claim transaction.
 */
import { decideLimitEligibility, type LimitSnapshot } from '../limits/limit-eligibility.js';
import { jobProviderKeyOf } from '../limits/limit-key-resolver.js';
import type { PauseLift } from '../limits/pause-lift.js';
import type { ProviderLimitPolicy } from '../ports/task-queue.js';
import { ClaimPlanner, withLiftsApplied, type RunnableJob } from './claim-planner.js';

/** A store's reads and writes for opening a claim, inside its claim transaction. */
export interface ClaimOpeningAccess<Load> {
  /** The limit snapshot of the claim's policies, and the running load of each job (the store's own shape). */
  readLimitSnapshot: () => Promise<{ limits: LimitSnapshot; loadByJob: Map<string, Load> }>;
  /** Clears the pauses the limit rules lifted, with their events. */
  writeLifts: (lifts: readonly PauseLift[]) => Promise<void>;
  /** The queued and processing jobs of these `provider:model` keys, with their running load. */
  readRunnableJobs: (jobProviderKeys: readonly string[], loadByJob: ReadonlyMap<string, Load>) => Promise<RunnableJob[]>;
}

/** The planner for a claim of at most `maxTasks`; undefined when no limit key may start a task now. */
export async function openClaimPlanner<Load>(policies: readonly ProviderLimitPolicy[], maxTasks: number, access: ClaimOpeningAccess<Load>): Promise<ClaimPlanner | undefined> {
  const snapshot = await access.readLimitSnapshot();
  const limits = decideLimitEligibility(policies, snapshot.limits);
  await access.writeLifts(limits.lifts);
  if (limits.eligible.size === 0) return undefined;
  const jobs = await access.readRunnableJobs([...new Set([...limits.eligible.values()].map(jobProviderKeyOf))], snapshot.loadByJob);
  const states = withLiftsApplied(snapshot.limits.states, limits.lifts.map((lift) => lift.scopeKey));
  return new ClaimPlanner(policies, { ...snapshot.limits, states }, jobs, maxTasks);
}
