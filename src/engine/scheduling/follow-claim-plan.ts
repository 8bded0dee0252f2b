/**
 * Following a claim's plan, the same on each store: heads are read ahead per job (one read per job
 * the order reaches, not one per lease), the planned leases are written together at the end, and a
 * budget pause is written after the leases planned before it, so the job's tasks leased earlier in
 * the claim land first (decision 0050). Stores pass their reads and writes, bound to the claim's
 * transaction; the planner's reads never look at what a lease changes, which is what lets the
 * writes wait.
 */
import type { QueuedTaskHead } from './task-availability.js';
import type { ClaimPlanner, ClaimStep } from './claim-planner.js';
import { openClaimPlanner, type ClaimOpeningAccess } from './open-claim-planner.js';
import type { ClaimedTask, ProviderLimitPolicy } from '../ports/task-queue.js';

/** A `read-head` step: the job, whether only available tasks count, with usage facts, and how many heads may be read. */
export type ReadHeadStep = Extract<ClaimStep, { kind: 'read-head' }>;

/** A `lease` step: the task the plan picked, its limit policy, whether its job starts, and its usage. */
export type LeaseStep = Extract<ClaimStep, { kind: 'lease' }>;

/** A store's reads and writes for following a claim's plan, inside its claim transaction. */
export interface ClaimPlanAccess {
  /** The job's next queued heads in lease order, at most `step.limit` (fewer: no more follow). */
  readHeads: (step: ReadHeadStep) => Promise<QueuedTaskHead[]>;
  /** Leases the planned tasks in plan order (each its own token) and returns them; none planned → none. */
  leaseAll: (leases: readonly LeaseStep[]) => Promise<ClaimedTask[]>;
  /** Pauses the job for its budget (status `paused`, `job.paused` with cause `budget`). */
  pauseForBudget: (jobId: string, reason: string) => Promise<void>;
}

/** Runs the planner's steps to the end; the tasks leased, in plan order. */
export async function followClaimPlan(planner: ClaimPlanner, access: ClaimPlanAccess): Promise<ClaimedTask[]> {
  const claimed: ClaimedTask[] = [];
  let planned: LeaseStep[] = [];
  for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
    if (step.kind === 'read-head') {
      planner.provideHeads(step.jobId, await access.readHeads(step), step.limit);
    } else if (step.kind === 'pause-for-budget') {
      if (planned.length > 0) claimed.push(...(await access.leaseAll(planned)));
      planned = [];
      await access.pauseForBudget(step.jobId, step.reason);
    } else planned.push(step);
  }
  if (planned.length > 0) claimed.push(...(await access.leaseAll(planned)));
  return claimed;
}

/**
 * A whole claim of at most `maxTasks` under `policies`: opens the planner (`openClaimPlanner`) and
 * follows its plan; nothing claimed when no limit key may start a task now. The store passes its
 * reads and writes, bound to its claim transaction.
 */
export async function claimByPlan<Load>(policies: readonly ProviderLimitPolicy[], maxTasks: number, access: ClaimOpeningAccess<Load> & ClaimPlanAccess): Promise<ClaimedTask[]> {
  const planner = await openClaimPlanner(policies, maxTasks, access);
  return planner ? followClaimPlan(planner, access) : [];
}
