/** Webhook routes: `GET /api/webhooks/deliveries` (the outbox, newest first) and `POST /api/webhooks/test`. */
import { listWebhookDeliveries } from '../operations/list-webhook-deliveries.js';
import { sendTestWebhook } from '../operations/send-test-webhook.js';
import { apiRoute } from './api-route.js';
import { readJsonBody, readQuery } from './request-input.js';
import { deliveriesQuerySchema, testWebhookBodySchema } from './schemas/webhooks.js';
import { webhookDeliveryItem } from './wire-format.js';

/** `GET /api/webhooks/deliveries`. */
export const handleListWebhookDeliveries = apiRoute(
  async ({ url, fleet }) => {
    const query = readQuery(url, deliveriesQuerySchema);
    const deliveries = await listWebhookDeliveries({ jobId: query.jobId, status: query.status, limit: query.limit ?? 50 }, fleet);
    return Response.json({ items: deliveries.map(webhookDeliveryItem) });
  },
  { name: 'GET /api/webhooks/deliveries' },
);

/** `POST /api/webhooks/test`: 202, the delivery is queued and sent by the delivery worker. */
export const handleSendTestWebhook = apiRoute(
  async ({ request, fleet }) => {
    const body = await readJsonBody(request, testWebhookBodySchema, { optional: true });
    const result = await sendTestWebhook({ url: body.url, secret: body.secret }, fleet);
    return Response.json({ delivery: webhookDeliveryItem(result.delivery), secret: result.generatedSecret ?? null }, { status: 202 });
  },
  { name: 'POST /api/webhooks/test' },
);
