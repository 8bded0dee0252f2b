/**
 * HTTP Basic logins: the web UI's `--api-auth user:password` (or a proxy's, written into a base
 * URL) as a header, and the fingerprint that lets a provider paused for a refused login resume once
 * the login changes. The password itself is never put in a message or a log line.
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

/** A login written into a base URL (`http://user:password@host:7860`), if any. */
export function loginInUrl(baseUrl: string): BasicLogin | undefined {
  if (!URL.canParse(baseUrl)) return undefined;
  const url = new URL(baseUrl);
  if (url.username === '' && url.password === '') return undefined;
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
