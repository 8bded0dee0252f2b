import { handleListProviders } from '../../../server/provider-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/providers — see src/server/provider-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleListProviders(request);
}
