import { handleListUploads, handleUpload } from '../../../server/upload-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/uploads — see src/server/upload-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleListUploads(request);
}

/** POST /api/uploads — see src/server/upload-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleUpload(request);
}
