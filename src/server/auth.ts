/**
 * API authentication and cross-site request refusal (DESIGN §8, reliability reference §4).
 *
 * - No `IMAGEFLEET_API_TOKEN` (only allowed on a loopback address; `loadConfig` refuses to start
 *   otherwise): every request is allowed.
 * - With a token: every route (except sign-in and the API documentation) needs
 *   `Authorization: Bearer <token>` or the http-only session cookie that `POST /api/session` sets
 *   after checking the token once. Comparisons are constant-time.
 * - Always: a request that changes state is refused when a browser says it comes from another
 *   origin (`Origin` of another host, `Origin: null`, `Sec-Fetch-Site: cross-site`/`same-site`).
 *   Programs that send no `Origin` are not browsers and are let through (they carry no ambient
 *   credentials a page could abuse).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config.js';
import { ImagefleetError } from '../core/errors.js';

/** Name of the session cookie the web UI signs in with. */
export const sessionCookieName = 'imagefleet_session';
/** How long a sign-in lasts, in seconds (30 days). */
export const sessionMaxAgeSeconds = 30 * 24 * 60 * 60;

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether requests must prove they know the token. */
export function authRequired(config: Config): boolean {
  return config.server.apiToken !== undefined;
}

/** Whether the request carries the token (bearer) or a valid session cookie. */
export function isAuthenticated(request: Request, config: Config): boolean {
  const token = config.server.apiToken;
  if (token === undefined) return true;
  const bearer = bearerToken(request);
  if (bearer !== undefined) return constantTimeEqual(bearer, token);
  const cookie = readCookie(request, sessionCookieName);
  return cookie !== undefined && constantTimeEqual(cookie, sessionValue(token));
}

/** Throws `unauthorized` unless the request may use the API. */
export function assertAuthenticated(request: Request, config: Config): void {
  if (isAuthenticated(request, config)) return;
  const presented = request.headers.has('authorization') || readCookie(request, sessionCookieName) !== undefined;
  throw new ImagefleetError(
    'unauthorized',
    presented
      ? 'The API token (or session) is not valid; send "Authorization: Bearer <IMAGEFLEET_API_TOKEN>" with the server\'s token.'
      : 'This server needs the API token: send "Authorization: Bearer <IMAGEFLEET_API_TOKEN>", or sign in with POST /api/session.',
  );
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

/** The `Set-Cookie` value that signs a browser in (or out, with `clear`). */
export function sessionCookieHeader(request: Request, config: Config, options: { clear?: boolean } = {}): string {
  const token = config.server.apiToken;
  const value = options.clear || token === undefined ? '' : sessionValue(token);
  const secure = isHttps(request) ? '; Secure' : '';
  const maxAge = options.clear ? 0 : sessionMaxAgeSeconds;
  return `${sessionCookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

/** The cookie value for a token: a MAC of it, so the cookie is never the token itself. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('imagefleet-session-v1').digest('base64url');
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
