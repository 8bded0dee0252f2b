/**
 * Takes back at once the tasks held by processes that no longer exist, instead of waiting out their
 * leases: what `imagefleet resume` does after the previous run was killed (kill -9, power cut of a
 * laptop lid, OOM). Which owners are dead is the caller's knowledge (it can ask the OS about pids on
 * its own host); the queue requeues their tasks exactly as an expired lease would, so each such
 * death counts toward the poison limit (a task that kills its worker every time still ends).
 */
import type { Clock, RecoveryResult, TaskQueue } from './ports.js';

export interface ReclaimDeadLeasesResult extends RecoveryResult {
  /** Owners whose tasks were taken back. */
  owners: string[];
}

export async function reclaimDeadLeases(
  dependencies: { queue: Pick<TaskQueue, 'leaseOwners' | 'reclaimLeases'>; clock: Clock },
  options: { isOwnerGone: (owner: string) => boolean; maxLeaseExpirations: number },
): Promise<ReclaimDeadLeasesResult> {
  const owners = (await dependencies.queue.leaseOwners()).map((entry) => entry.owner).filter((owner) => options.isOwnerGone(owner));
  if (owners.length === 0) return { requeued: 0, poisoned: 0, owners };
  const result = await dependencies.queue.reclaimLeases(owners, dependencies.clock.now(), options.maxLeaseExpirations);
  return { ...result, owners };
}
