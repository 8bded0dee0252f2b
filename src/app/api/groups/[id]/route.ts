import { handleDeleteGroup, handleGetGroup, handlePatchGroup } from '../../../../server/group-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/groups/{id} — see src/server/group-handlers.ts. */
export function GET(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleGetGroup(request, context);
}

/** PATCH /api/groups/{id} — see src/server/group-handlers.ts. */
export function PATCH(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handlePatchGroup(request, context);
}

/** DELETE /api/groups/{id} — see src/server/group-handlers.ts. */
export function DELETE(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleDeleteGroup(request, context);
}
