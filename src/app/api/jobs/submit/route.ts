import { handleSubmitJob } from '../../../../server/job-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/jobs/submit — see src/server/job-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleSubmitJob(request);
}
