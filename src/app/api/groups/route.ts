import { handleCreateGroup, handleListGroups } from '../../../server/group-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/groups — see src/server/group-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleListGroups(request);
}

/** POST /api/groups — see src/server/group-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleCreateGroup(request);
}
