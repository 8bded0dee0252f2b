import { handleJobStatus } from '../../../../../server/job-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs/{id}/status — see src/server/job-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleJobStatus(request, context);
}
