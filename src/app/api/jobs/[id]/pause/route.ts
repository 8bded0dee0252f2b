import { jobActionHandler } from '../../../../../server/job-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const handle = jobActionHandler('pause');

/** POST /api/jobs/{id}/pause — see src/server/job-handlers.ts. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, context);
}
