/** The queue as people see it (GET /api/queue): unfinished jobs in scheduling order, runnable first, paused after (docs/decisions/0010). */
import type { QueueEntry } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export type ReadQueueInput = Record<string, never>;

export function readQueue(_input: ReadQueueInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<QueueEntry[]> {
  return dependencies.store.jobs.listQueue();
}
