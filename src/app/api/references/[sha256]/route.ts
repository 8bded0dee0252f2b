import { handleGetReference } from '../../../../server/reference-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/references/{sha256} — see src/server/reference-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ sha256: string }> }): Promise<Response> {
  return handleGetReference(request, context);
}
