/** Revokes the session a cookie names, when its signature is right (a forged or stale cookie changes nothing). */
import { verifySessionCookie } from '../core/web-session.js';
import type { OperationDependencies } from './operation-dependencies.js';
import { webSessionKey } from './web-session-key.js';

export interface EndWebSessionInput {
  /** The cookie's value as the browser sent it. */
  cookie: string;
  /** The server's API token. */
  apiToken: string;
}

export async function endWebSession(input: EndWebSessionInput, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<void> {
  const sessionId = verifySessionCookie(input.cookie, await webSessionKey(input.apiToken, dependencies));
  if (sessionId !== undefined) await dependencies.store.webSessions.revokeSession(sessionId, dependencies.clock.now());
}
