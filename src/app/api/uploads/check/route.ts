import { handleUploadCheck } from '../../../../server/upload-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/uploads/check — see src/server/upload-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleUploadCheck(request);
}
