import { handleUnknownRoute } from '../../../server/unknown-route.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Any other /api path: a JSON 404 instead of the HTML page — see src/server/unknown-route.ts. */
export function GET(request: Request): Promise<Response> {
  return handleUnknownRoute(request);
}
export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
