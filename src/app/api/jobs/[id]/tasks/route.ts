import { handleJobTasks } from '../../../../../server/task-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs/{id}/tasks — see src/server/task-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleJobTasks(request, context);
}
