import { handleHealthRoute } from '../../../server/health-handler.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/health — see src/server/health-handler.ts. */
export function GET(request: Request): Promise<Response> {
  return handleHealthRoute(request);
}
