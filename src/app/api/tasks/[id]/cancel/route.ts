import { handleCancelTask } from '../../../../../server/task-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/tasks/{id}/cancel — see src/server/task-handlers.ts. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleCancelTask(request, context);
}
