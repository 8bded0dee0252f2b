import { handleGetImage, handlePatchImage } from '../../../../server/image-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/images/{id} — see src/server/image-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleGetImage(request, context);
}

/** PATCH /api/images/{id} — see src/server/image-handlers.ts. */
export function PATCH(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handlePatchImage(request, context);
}
