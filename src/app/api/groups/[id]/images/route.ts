import { handleListGroupImages } from '../../../../../server/group-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/groups/{id}/images — see src/server/group-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleListGroupImages(request, context);
}
