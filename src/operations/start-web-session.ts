/** Starts a web session for a browser that presented the right token: stores its row (pruning rows that can no longer be used) and signs its id. */
import { randomBytes } from 'node:crypto';
import { sessionExpiresAtMs, sessionIdBytes, signSessionCookie, userAgentNote } from '../core/web-session.js';
import type { OperationDependencies } from './operation-dependencies.js';
import { webSessionKey, webSessionPolicy } from './web-session-key.js';

export interface StartWebSessionInput {
  /** The server's API token, already checked against what the browser presented. */
  apiToken: string;
  /** The browser's `User-Agent`, kept as a short note so people can tell their sessions apart. */
  userAgent: string | null;
}

export interface StartedWebSession {
  /** The signed session id: the cookie's value. */
  cookieValue: string;
  /** How long the cookie lives, in seconds. */
  maxAgeSeconds: number;
}

export async function startWebSession(input: StartWebSessionInput, dependencies: Pick<OperationDependencies, 'store' | 'clock' | 'config'>): Promise<StartedWebSession> {
  const policy = webSessionPolicy(dependencies.config);
  const sessions = dependencies.store.webSessions;
  const nowMs = dependencies.clock.now();
  await sessions.pruneEndedSessions(nowMs, nowMs - policy.idleMs);
  const id = randomBytes(sessionIdBytes).toString('base64url');
  await sessions.createSession({ id, createdAtMs: nowMs, expiresAtMs: sessionExpiresAtMs(nowMs, policy), lastSeenAtMs: nowMs, revokedAtMs: undefined, userAgentNote: userAgentNote(input.userAgent) });
  return { cookieValue: signSessionCookie(id, await webSessionKey(input.apiToken, dependencies)), maxAgeSeconds: Math.floor(policy.ttlMs / 1000) };
}
