import { handleImageAsReference } from '../../../../../server/image-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/images/{id}/reference — see src/server/image-handlers.ts. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleImageAsReference(request, context);
}
