/**
 * Credentials written into a URL (`https://user:password@proxy.example/`, as operators put in a
 * provider's base URL to reach a proxy) must not travel with the errors that quote the URL: fetch
 * refuses such URLs with a message that repeats them whole, and proxies echo them. Everything that
 * carries an error out of the engine, the API and the log passes through `redactUrlCredentials`.
 */

/** `scheme://userinfo@` — userinfo is anything up to `@` that cannot end a URL or a quoted string. */
const urlWithCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi;

/** `text` with the user and password of every URL in it replaced by `[redacted]`. */
export function redactUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(urlWithCredentials, '$1[redacted]@') : text;
}
