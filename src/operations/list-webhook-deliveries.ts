/** The webhook outbox, newest first: what was sent where, and how it went. */
import type { WebhookDelivery, WebhookDeliveryStatus } from '../engine/ports.js';
import type { OperationDependencies } from './operation-dependencies.js';

export interface ListWebhookDeliveriesInput {
  /** Only deliveries of this job. */
  jobId?: string | undefined;
  /** Only deliveries in this state. */
  status?: WebhookDeliveryStatus | undefined;
  /** Most deliveries returned. */
  limit: number;
}

export function listWebhookDeliveries(input: ListWebhookDeliveriesInput, dependencies: Pick<OperationDependencies, 'store'>): Promise<WebhookDelivery[]> {
  return dependencies.store.webhooks.listDeliveries(input);
}
