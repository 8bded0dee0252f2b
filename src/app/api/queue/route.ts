import { handleGetQueue, handlePatchQueue } from '../../../server/queue-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/queue — see src/server/queue-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleGetQueue(request);
}

/** PATCH /api/queue — see src/server/queue-handlers.ts. */
export function PATCH(request: Request): Promise<Response> {
  return handlePatchQueue(request);
}
