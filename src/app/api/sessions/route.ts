import { handleRevokeAllSessions } from '../../../server/session-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** DELETE /api/sessions — see src/server/session-handlers.ts. */
export function DELETE(request: Request): Promise<Response> {
  return handleRevokeAllSessions(request);
}
