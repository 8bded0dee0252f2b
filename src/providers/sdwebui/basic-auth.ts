/**
 * The web UI's `--api-auth user:password` login as an HTTP Basic header, and the fingerprint that
 * lets a provider paused for a refused login resume once the login changes. The password itself is
 * never put in a message or a log line.
 */
import { createHash } from 'node:crypto';

export interface BasicLogin {
  username: string;
  password: string;
}

/** `Authorization` header value for the login. */
export function basicAuthorization(login: BasicLogin): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password}`, 'utf8').toString('base64')}`;
}

/** First 8 hex digits of the SHA-256 of the login: changes when either part changes, reveals neither. */
export function fingerprintLogin(login: BasicLogin): string {
  return createHash('sha256').update(`${login.username}\u0000${login.password}`, 'utf8').digest('hex').slice(0, 8);
}
