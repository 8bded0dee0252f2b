/**
 * Takes back at once the tasks held by processes that no longer exist, instead of waiting out their
 * leases: what `imagefleet resume` does after the previous run was killed (kill -9, power cut of a
 * laptop lid, OOM). Which owners are dead is the caller's knowledge (it can ask the OS about pids on
 * its own host); the queue requeues their tasks exactly as an expired lease would, so each such
 * death counts toward the poison limit (a task that kills its worker every time still ends).
 */
import type { RecoveryResult } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ReclaimDeadLeasesInput {
  /** Whether the lease holder named `owner` (`host:pid:suffix`) is known to be gone. */
  isOwnerGone: (owner: string) => boolean;
}

export interface ReclaimDeadLeasesResult extends RecoveryResult {
  /** Owners whose tasks were taken back. */
  owners: string[];
}

/** Requeues (or fails as poison) the dead owners' tasks; wakes the engine and logs when any came back. */
export async function reclaimDeadLeases(input: ReclaimDeadLeasesInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'config' | 'engine' | 'logger'>): Promise<ReclaimDeadLeasesResult> {
  const { queue } = dependencies.store;
  const owners = (await queue.leaseOwners()).map((entry) => entry.owner).filter((owner) => input.isOwnerGone(owner));
  if (owners.length === 0) return { requeued: 0, poisoned: 0, owners };
  const recovered = await queue.reclaimLeases(owners, dependencies.clock.now(), dependencies.config.engine.maxLeaseExpirations);
  const result = { ...recovered, owners };
  if (result.requeued + result.poisoned > 0) {
    dependencies.logger.warn({ ...result }, 'Took back tasks held by processes of this machine that no longer exist.');
    dependencies.engine.wake();
  }
  return result;
}
