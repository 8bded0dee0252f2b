/** The id of the newest durable event, 0 when there is none: where a live stream that wants only new events starts. */
import type { OperationDependencies } from './operation-dependencies.js';

export type LatestEventIdInput = Record<string, never>;

export function latestEventId(_input: LatestEventIdInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<number> {
  return dependencies.store.events.lastEventId();
}
