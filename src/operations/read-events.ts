/** A page of the durable event log after an id, oldest first, optionally of one job: what live streams and other processes tail. */
import type { StoredEvent } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ReadEventsInput {
  /** Events with a larger id than this; 0 = from the oldest kept. */
  afterId: number;
  /** Only events of this job. */
  jobId?: string | undefined;
  /** Most events returned. */
  limit: number;
}

export function readEvents(input: ReadEventsInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<StoredEvent[]> {
  return dependencies.store.events.readEvents(input.afterId, { ...(input.jobId === undefined ? {} : { jobId: input.jobId }), limit: input.limit });
}
