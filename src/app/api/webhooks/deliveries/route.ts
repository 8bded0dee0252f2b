import { handleListWebhookDeliveries } from '../../../../server/webhook-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/webhooks/deliveries — see src/server/webhook-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleListWebhookDeliveries(request);
}
