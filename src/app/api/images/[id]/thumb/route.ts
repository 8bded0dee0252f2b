import { handleGetThumbnail } from '../../../../../server/image-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/images/{id}/thumb — see src/server/image-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleGetThumbnail(request, context);
}
