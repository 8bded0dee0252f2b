/**
 * Whether a session cookie holds: its signature is right (constant-time), its row exists and
 * `judgeWebSession` says it is neither revoked, expired nor idle. Last-seen is written at most
 * once a minute, best effort.
 */
import { judgeWebSession, verifySessionCookie } from '../core/web-session.js';
import type { OperationDependencies } from './operation-dependencies.js';
import { webSessionKey, webSessionPolicy } from './web-session-key.js';

export interface AuthenticateWebSessionInput {
  /** The cookie's value as the browser sent it. */
  cookie: string;
  /** The server's API token (sessions exist only on servers with one). */
  apiToken: string;
}

/** The session's id when the cookie holds; undefined otherwise. */
export async function authenticateWebSession(input: AuthenticateWebSessionInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'config' | 'logger'>): Promise<string | undefined> {
  const sessionId = verifySessionCookie(input.cookie, await webSessionKey(input.apiToken, dependencies));
  if (sessionId === undefined) return undefined;
  const sessions = dependencies.store.webSessions;
  const session = await sessions.findSession(sessionId);
  if (session === undefined) return undefined;
  const nowMs = dependencies.clock.now();
  const verdict = judgeWebSession(session, nowMs, webSessionPolicy(dependencies.config));
  if (verdict.kind !== 'valid') return undefined;
  if (verdict.touchLastSeen) {
    // Best effort: a busy database must not turn a valid request away; the next request tries again.
    await sessions.touchSession(sessionId, nowMs).catch((error: unknown) => dependencies.logger.warn({ error: String(error) }, 'could not record a web session as seen'));
  }
  return sessionId;
}
