import { handleSendTestWebhook } from '../../../../server/webhook-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/webhooks/test — see src/server/webhook-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleSendTestWebhook(request);
}
