/** How many webhook deliveries of a job are still to be sent (the CLI waits for them before it exits). */
import type { OperationDependencies } from './operation-dependencies.js';

export interface CountPendingWebhooksInput {
  /** The job whose deliveries are counted. */
  jobId: string;
}

export function countPendingWebhooks(input: CountPendingWebhooksInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<number> {
  return dependencies.store.webhooks.pendingCount(input.jobId);
}
