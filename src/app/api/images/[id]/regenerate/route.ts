import { handleRegenerateImage } from '../../../../../server/image-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/images/{id}/regenerate — see src/server/image-handlers.ts. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleRegenerateImage(request, context);
}
