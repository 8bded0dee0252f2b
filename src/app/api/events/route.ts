import { handleEvents } from '../../../server/events-handler.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/events — see src/server/events-handler.ts. */
export function GET(request: Request): Promise<Response> {
  return handleEvents(request);
}
