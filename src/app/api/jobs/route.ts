import { handleListJobs } from '../../../server/job-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs — see src/server/job-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleListJobs(request);
}
