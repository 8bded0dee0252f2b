/**
 * Rules of the web UI's sign-in sessions (issue 21): the cookie format and its signature, and
 * whether a stored session still holds at a given time. Pure: the caller passes the key, the row
 * and the clock's reading; the store only persists rows.
 *
 * The cookie is `<session id>.<HMAC-SHA256(key, "imagefleet-session-v2." + id), base64url>`. The
 * key is derived from the data directory's server secret and the API token together, so a new
 * token makes every earlier cookie's signature wrong (all sessions end) without touching a row.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a session row holds that the rules need. */
export interface WebSessionRecord {
  id: string;
  createdAtMs: number;
  /** Absolute end: `createdAtMs + ttlMs`, fixed at sign-in. */
  expiresAtMs: number;
  /** Last request seen with this session (updated at most once per `lastSeenWriteIntervalMs`). */
  lastSeenAtMs: number;
  /** When it was signed out or revoked; undefined while it may be used. */
  revokedAtMs: number | undefined;
  /** A short description of the browser that signed in (for people, never trusted). */
  userAgentNote: string;
}

export interface WebSessionPolicy {
  /** Absolute lifetime from sign-in, in ms. */
  ttlMs: number;
  /** Longest gap between two requests, in ms. */
  idleMs: number;
}

/**
 * Last-seen is written at most this often per session, in ms: a write per request would put every
 * page view and API call on SQLite's single write lock. The idle timeout is therefore honoured to
 * within this much.
 */
export const lastSeenWriteIntervalMs = 60_000;

/** Random bytes in a session id: 128 bits and more, so ids cannot be guessed. */
export const sessionIdBytes = 24;

/** Why a session does or does not hold. */
export type WebSessionVerdict =
  | { kind: 'valid'; /** Whether last-seen is old enough to be written now. */ touchLastSeen: boolean }
  | { kind: 'revoked' | 'expired' | 'idle' };

/** Whether `session` lets a request through at `nowMs`. */
export function judgeWebSession(session: WebSessionRecord, nowMs: number, policy: WebSessionPolicy): WebSessionVerdict {
  if (session.revokedAtMs !== undefined) return { kind: 'revoked' };
  if (nowMs >= session.expiresAtMs) return { kind: 'expired' };
  if (nowMs - session.lastSeenAtMs >= policy.idleMs) return { kind: 'idle' };
  return { kind: 'valid', touchLastSeen: nowMs - session.lastSeenAtMs >= lastSeenWriteIntervalMs };
}

/** The absolute end of a session signed in at `nowMs`. */
export function sessionExpiresAtMs(nowMs: number, policy: WebSessionPolicy): number {
  return nowMs + policy.ttlMs;
}

/**
 * The signing key: the server secret (random, per data directory) bound to the API token, so the
 * token alone, or the secret alone (a copied database), cannot sign a cookie, and a new token
 * ends every session.
 */
export function deriveSessionKey(serverSecret: string, apiToken: string): Buffer {
  const tokenDigest = createHash('sha256').update(apiToken).digest('base64url');
  return createHmac('sha256', serverSecret).update(`imagefleet-session-key-v2.${tokenDigest}`).digest();
}

/**
 * A fingerprint of the token, keyed by the server secret (so the stored value says nothing about
 * the token without the secret). When it differs from the recorded one, the token changed and every
 * stored session is revoked, so going back to an earlier token does not revive old cookies.
 */
export function tokenFingerprint(serverSecret: string, apiToken: string): string {
  return createHmac('sha256', serverSecret).update(`imagefleet-token-fingerprint-v1.${apiToken}`).digest('base64url');
}

/** The cookie value for session `sessionId`. */
export function signSessionCookie(sessionId: string, key: Buffer): string {
  return `${sessionId}.${signature(sessionId, key)}`;
}

/**
 * The session id a cookie names when its signature is right (checked in constant time), else
 * undefined. Ids are base64url, so anything else is refused before the MAC is computed.
 */
export function verifySessionCookie(cookieValue: string, key: Buffer): string | undefined {
  const match = /^([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/.exec(cookieValue);
  if (match === null) return undefined;
  const sessionId = match[1]!;
  // The text is compared, not the decoded bytes: the 43rd character carries 2 unused bits, so
  // four spellings decode to one MAC, and only the one we issue is accepted.
  const given = Buffer.from(match[2]!, 'ascii');
  const expected = Buffer.from(signature(sessionId, key), 'ascii');
  return given.length === expected.length && timingSafeEqual(given, expected) ? sessionId : undefined;
}

/** A short, printable note of the `User-Agent` (it is shown to people and stored; never trusted). */
export function userAgentNote(userAgent: string | null | undefined): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const printable = (userAgent ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return printable === '' ? 'unknown client' : printable.slice(0, 120);
}

function signature(sessionId: string, key: Buffer): string {
  return createHmac('sha256', key).update(`imagefleet-session-v2.${sessionId}`).digest('base64url');
}
