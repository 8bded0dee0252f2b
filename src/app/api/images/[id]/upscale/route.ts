import { handleUpscaleImage } from '../../../../../server/image-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/images/{id}/upscale — see src/server/image-handlers.ts. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleUpscaleImage(request, context);
}
