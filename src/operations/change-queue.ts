/**
 * Changes the queue as people see it (PATCH /api/queue). Jobs run by priority; within a
 * priority, jobs moved ahead run first in the order given, and every other job takes turns with
 * the others (DESIGN §5.6, docs/decisions/0010). Moving jobs sets their `queue_position`; changing
 * a priority moves a job to another class.
 */
import { invalidInput } from '../core/errors.js';
import type { JobPriority } from '../core/job.js';
import type { QueueEntry, QueuePlacementUpdate } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ChangeQueueInput {
  /** Run these jobs before the others of their priority, in this order. */
  first?: string[] | undefined;
  /** Run these jobs after the others of their priority, in this order. */
  last?: string[] | undefined;
  /** Put these jobs back among the jobs that take turns. */
  reset?: string[] | undefined;
  /** New priorities. */
  priorities?: Array<{ jobId: string; priority: JobPriority }> | undefined;
}

/**
 * Applies a change in one transaction, wakes the engine (a job moved ahead may be claimable now)
 * and returns the new queue. `invalid_input` when a job is named twice; `not_found` / `conflict`
 * (finished) for a job that cannot be moved; nothing changes then.
 */
export async function changeQueue(change: ChangeQueueInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'engine'>): Promise<QueueEntry[]> {
  const { jobs } = dependencies.store;
  const first = change.first ?? [];
  const last = change.last ?? [];
  const reset = change.reset ?? [];
  const seen = new Map<string, string>();
  const issues: Array<{ path: string; message: string }> = [];
  const note = (jobId: string, path: string) => {
    const earlier = seen.get(jobId);
    if (earlier !== undefined) issues.push({ path, message: `job ${jobId} is already placed by ${earlier}; name each job once` });
    else seen.set(jobId, path);
  };
  first.forEach((jobId, index) => note(jobId, `first.${index}`));
  last.forEach((jobId, index) => note(jobId, `last.${index}`));
  reset.forEach((jobId, index) => note(jobId, `reset.${index}`));
  const priorityPaths = new Map<string, string>();
  (change.priorities ?? []).forEach((entry, index) => {
    if (priorityPaths.has(entry.jobId)) issues.push({ path: `priorities.${index}.id`, message: `job ${entry.jobId} is listed twice` });
    priorityPaths.set(entry.jobId, `priorities.${index}`);
  });
  if (issues.length > 0) throw invalidInput(issues, 'Invalid queue change');

  const queue = await jobs.listQueue();
  const others = queue.filter((entry) => !seen.has(entry.job.id)).map((entry) => entry.queuePosition);
  const lowest = Math.min(0, ...others);
  const highest = Math.max(0, ...others);

  const updates = new Map<string, QueuePlacementUpdate>();
  const update = (jobId: string): QueuePlacementUpdate => {
    let entry = updates.get(jobId);
    if (!entry) {
      entry = { jobId };
      updates.set(jobId, entry);
    }
    return entry;
  };
  first.forEach((jobId, index) => (update(jobId).queuePosition = lowest - first.length + index));
  last.forEach((jobId, index) => (update(jobId).queuePosition = highest + 1 + index));
  for (const jobId of reset) update(jobId).queuePosition = 0;
  for (const entry of change.priorities ?? []) update(entry.jobId).priority = entry.priority;

  await jobs.updateQueuePlacement([...updates.values()], dependencies.clock.now());
  dependencies.engine.wake();
  return jobs.listQueue();
}
