import { handleGetUploadThumbnail } from '../../../../../server/upload-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/uploads/{id}/thumb — see src/server/upload-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleGetUploadThumbnail(request, context);
}
