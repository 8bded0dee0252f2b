import { handleHealthRequest } from '../../../server/health-handler.js';

/** GET /api/health — see src/server/health-handler.ts. */
export function GET(request: Request): Promise<Response> {
  return handleHealthRequest(request);
}
