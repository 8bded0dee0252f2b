import { handleGetSession, handleSignIn, handleSignOut } from '../../../server/session-handlers.js';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/session — see src/server/session-handlers.ts. */
export function GET(request: Request): Promise<Response> {
  return handleGetSession(request);
}

/** POST /api/session — see src/server/session-handlers.ts. */
export function POST(request: Request): Promise<Response> {
  return handleSignIn(request);
}

/** DELETE /api/session — see src/server/session-handlers.ts. */
export function DELETE(request: Request): Promise<Response> {
  return handleSignOut(request);
}
