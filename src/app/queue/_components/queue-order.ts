/**
 * "Move up / move down" on top of the API's `first` list: the jobs of one priority, in the order
 * shown, with one job swapped with its neighbour, all pinned as `first`. Pinning the whole priority
 * makes the new order exact (jobs left taking turns would otherwise rotate around the moved one);
 * "Take turns again" (`reset`) undoes it.
 */
import type { QueueEntry } from '../../_lib/api-types.js';

/** Jobs the claim orders among themselves: same priority, not paused (paused jobs wait at the end). */
export function samePriorityPeers(jobs: readonly QueueEntry[], job: QueueEntry): QueueEntry[] {
  return jobs.filter((entry) => entry.priority === job.priority && entry.status !== 'paused');
}

/** The ids to send as `first` to move `job` one place up (-1) or down (+1); undefined when it cannot move that way. */
export function reorderedIds(jobs: readonly QueueEntry[], job: QueueEntry, step: -1 | 1): string[] | undefined {
  const peers = samePriorityPeers(jobs, job);
  const index = peers.findIndex((entry) => entry.id === job.id);
  const target = index + step;
  if (index < 0 || target < 0 || target >= peers.length) return undefined;
  const ids = peers.map((entry) => entry.id);
  [ids[index], ids[target]] = [ids[target]!, ids[index]!];
  return ids;
}
