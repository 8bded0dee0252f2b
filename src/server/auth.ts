/**
 * API authentication and cross-site request refusal (DESIGN §8, reliability reference §4).
 *
 * - No `IMAGEFLEET_API_TOKEN` (only allowed on a loopback address; `loadConfig` refuses to start
 *   otherwise): every request is allowed.
 * - With a token: every route (except sign-in and the API documentation) needs
 *   `Authorization: Bearer <token>` or the http-only session cookie that `POST /api/session` sets
 *   after checking the token once: a signed id of a stored session that expires, goes idle and can
 *   be revoked (`core/web-session.ts`, docs/decisions/0026). Comparisons are constant-time.
 * - Always: a request that changes state is refused when a browser says it comes from another
 *   origin (`Origin` of another host, `Origin: null`, `Sec-Fetch-Site: cross-site`/`same-site`).
 *   Programs that send no `Origin` are not browsers and are let through (they carry no ambient
 *   credentials a page could abuse).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config.js';
import { ImagefleetError } from '../core/errors.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { authenticateWebSession } from '../operations/authenticate-web-session.js';
import { endWebSession as endStoredWebSession } from '../operations/end-web-session.js';
import { revokeWebSessions } from '../operations/revoke-web-sessions.js';
import { startWebSession as startStoredWebSession } from '../operations/start-web-session.js';

/** Name of the session cookie the web UI signs in with. */
export const sessionCookieName = 'imagefleet_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether requests must prove they know the token. */
export function authRequired(config: Config): boolean {
  return config.server.apiToken !== undefined;
}

/** How a request proved itself, or that it did not. */
export type Authentication =
  | { ok: true; via: 'open' | 'bearer' }
  | { ok: true; via: 'session'; sessionId: string }
  | { ok: false; /** Whether it carried a token or a session cookie at all (for the message). */ presented: boolean };

/**
 * Checks the bearer token or the session cookie. A cookie holds only when its signature is right
 * (constant-time), its row exists and `judgeWebSession` says it is neither revoked, expired nor
 * idle; last-seen is written at most once a minute.
 */
export async function authenticate(request: Request, fleet: Fleet): Promise<Authentication> {
  const token = fleet.config.server.apiToken;
  if (token === undefined) return { ok: true, via: 'open' };
  const bearer = bearerToken(request);
  if (bearer !== undefined) return constantTimeEqual(bearer, token) ? { ok: true, via: 'bearer' } : { ok: false, presented: true };
  const cookie = readCookie(request, sessionCookieName);
  if (cookie === undefined) return { ok: false, presented: false };
  const sessionId = await authenticateWebSession({ cookie, apiToken: token }, fleet);
  return sessionId === undefined ? { ok: false, presented: true } : { ok: true, via: 'session', sessionId };
}

/** Whether the request carries the token (bearer) or a live session cookie. */
export async function isAuthenticated(request: Request, fleet: Fleet): Promise<boolean> {
  return (await authenticate(request, fleet)).ok;
}

/** Throws `unauthorized` unless the request may use the API. */
export async function assertAuthenticated(request: Request, fleet: Fleet): Promise<Authentication> {
  const authentication = await authenticate(request, fleet);
  if (authentication.ok) return authentication;
  throw new ImagefleetError(
    'unauthorized',
    authentication.presented
      ? 'The API token or session is not valid (a session ends when it expires, after a long idle time, on sign-out, or when the token changes); send "Authorization: Bearer <IMAGEFLEET_API_TOKEN>" with the server\'s token, or sign in again.'
      : 'This server needs the API token: send "Authorization: Bearer <IMAGEFLEET_API_TOKEN>", or sign in with POST /api/session.',
  );
}

/**
 * Starts a session for a browser that presented the right token: stores its row (pruning rows
 * that can no longer be used) and returns the `Set-Cookie` value carrying its signed id.
 */
export async function startWebSession(request: Request, fleet: Fleet): Promise<string> {
  const token = fleet.config.server.apiToken;
  if (token === undefined) throw new ImagefleetError('internal', 'A web session was started on a server without a token.');
  const session = await startStoredWebSession({ apiToken: token, userAgent: request.headers.get('user-agent') }, fleet);
  return cookieHeader(request, session.cookieValue, session.maxAgeSeconds);
}

/** Revokes the session this request's cookie names (if its signature is right) and returns the `Set-Cookie` that clears it. */
export async function endWebSession(request: Request, fleet: Fleet): Promise<string> {
  const token = fleet.config.server.apiToken;
  const cookie = readCookie(request, sessionCookieName);
  if (token !== undefined && cookie !== undefined) await endStoredWebSession({ cookie, apiToken: token }, fleet);
  return clearedSessionCookieHeader(request);
}

/** Revokes every web session of this data directory; returns how many were live. */
export async function revokeAllWebSessions(fleet: Fleet): Promise<number> {
  return revokeWebSessions({}, fleet);
}

/** The `Set-Cookie` value that signs a browser out. */
export function clearedSessionCookieHeader(request: Request): string {
  return cookieHeader(request, '', 0);
}

function cookieHeader(request: Request, value: string, maxAgeSeconds: number): string {
  const secure = isHttps(request) ? '; Secure' : '';
  return `${sessionCookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Whether `token` is the configured one (constant-time). */
export function tokenMatches(token: string, config: Config): boolean {
  const expected = config.server.apiToken;
  return expected !== undefined && constantTimeEqual(token, expected);
}

/**
 * Throws `forbidden` when a state-changing request comes from a browser page of another origin.
 * Same origin means the `Origin` host equals the `Host` (or `X-Forwarded-Host`) the request was sent to.
 */
export function assertSameOrigin(request: Request): void {
  if (safeMethods.has(request.method.toUpperCase())) return;
  const origin = request.headers.get('origin');
  const refuse = (why: string) => new ImagefleetError('forbidden', `Cross-origin request refused: ${why}. Call the API from its own pages or from a program (no Origin header).`);
  if (origin !== null) {
    if (origin.trim().toLowerCase() === 'null') throw refuse('the Origin is "null" (a sandboxed or opaque page)');
    let originHost: string;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      throw refuse(`the Origin "${origin.slice(0, 100)}" is not a URL`);
    }
    const hosts = [request.headers.get('host'), ...(request.headers.get('x-forwarded-host') ?? '').split(',')]
      .map((host) => host?.trim().toLowerCase())
      .filter((host): host is string => host !== undefined && host !== '');
    if (!hosts.includes(originHost)) throw refuse(`the page at ${origin.slice(0, 100)} is not this server`);
    return;
  }
  const fetchSite = request.headers.get('sec-fetch-site')?.toLowerCase();
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') throw refuse(`the browser marked it ${fetchSite}`);
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function isHttps(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded !== undefined) return forwarded === 'https';
  try {
    return new URL(request.url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function constantTimeEqual(presented: string, expected: string): boolean {
  const left = createHash('sha256').update(presented).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}
