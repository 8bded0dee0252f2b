import { handleDownload } from '../../../../server/download-handler.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/download/{groupId} — see src/server/download-handler.ts. */
export function GET(request: Request, context: { params: Promise<{ groupId: string }> }): Promise<Response> {
  return handleDownload(request, context);
}

/** POST /api/download/{groupId} — the same archive, its fields in a form or JSON body (selections too long for a URL). */
export function POST(request: Request, context: { params: Promise<{ groupId: string }> }): Promise<Response> {
  return handleDownload(request, context);
}
