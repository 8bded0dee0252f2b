/**
 * The web `Request` of a plain Node request without its body, for routes `imagefleet serve`
 * answers before Next.js that read the body from the Node stream themselves (uploads, decision
 * 0047): the route's checks (same origin, token, query) read the method, URL and headers from it.
 */
import type { IncomingMessage } from 'node:http';

export function nodeRequestHead(request: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const host = request.headers.host ?? 'localhost';
  return new Request(`http://${host}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers, signal });
}
