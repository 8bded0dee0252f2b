import { handleOpenApi } from '../../../server/openapi-handler.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/openapi.json — see src/server/openapi-handler.ts. */
export function GET(request: Request): Promise<Response> {
  return handleOpenApi(request);
}
