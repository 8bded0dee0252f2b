/**
 * The one method table of the API, derived from `apiOperations` (the list the OpenAPI document is
 * built from, which a test holds equal to the route files). Next answers methods a route file does
 * not export on its own terms (TRACE → a 500 text, others → a bare 405 without `Allow`, OPTIONS →
 * 204 even for unknown paths), so `imagefleet serve` asks this table first: a method a route does
 * not serve gets 405 with `Allow` (RFC 9110 §15.5.6) and the API's JSON error body; OPTIONS on a
 * route gets 204 with `Allow`; any method but the ones the catch-all route answers on an unknown
 * `/api` path gets the JSON 404.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ImagefleetError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { errorResponse } from './http-errors.js';
import { apiOperations } from './openapi.js';

interface RouteMethods {
  pattern: RegExp;
  /** Upper-case methods, HEAD wherever GET is, OPTIONS everywhere; sorted. */
  allowed: string[];
}

/** Methods the catch-all route (`src/app/api/[...path]`) answers with the JSON 404. */
const catchAllMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

function buildTable(): RouteMethods[] {
  const byPath = new Map<string, Set<string>>();
  for (const operation of apiOperations) {
    const methods = byPath.get(operation.path) ?? new Set<string>(['OPTIONS']);
    methods.add(operation.method.toUpperCase());
    if (operation.method === 'get') methods.add('HEAD');
    byPath.set(operation.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    allowed: [...methods].sort(),
  }));
}

let table: RouteMethods[] | undefined;

/** The methods served at `pathname`, or undefined when no API route matches it. */
export function allowedMethods(pathname: string): string[] | undefined {
  table ??= buildTable();
  return table.find((route) => route.pattern.test(pathname))?.allowed;
}

/**
 * The answer the method table gives before any route runs, or undefined when the request is for
 * a route that serves its method (or is not an API request).
 */
export function methodTableAnswer(method: string, pathname: string): Response | undefined {
  if (pathname !== '/api' && !pathname.startsWith('/api/')) return undefined;
  const upper = method.toUpperCase();
  const allowed = allowedMethods(pathname);
  if (allowed === undefined) {
    if (catchAllMethods.has(upper)) return undefined;
    return errorResponse(new ImagefleetError('not_found', `No API route ${pathname}; see /api/docs for the routes.`), silentLogger, randomUUID());
  }
  const allow = allowed.join(', ');
  if (upper === 'OPTIONS') return new Response(null, { status: 204, headers: { allow, 'cache-control': 'no-store' } });
  if (allowed.includes(upper)) return undefined;
  const response = errorResponse(
    new ImagefleetError('method_not_allowed', `${pathname} does not serve ${upper}; it serves ${allow}.`),
    silentLogger,
    randomUUID(),
  );
  response.headers.set('allow', allow);
  return response;
}

/**
 * For the custom server, before Next: writes the method table's answer, or returns undefined to
 * let the request through (decided at once, like `serveDownloadFromNode`).
 */
export function answerMethodFromNode(request: IncomingMessage, response: ServerResponse): Promise<void> | undefined {
  const pathname = (request.url ?? '/').split('?')[0] ?? '/';
  const answer = methodTableAnswer(request.method ?? 'GET', pathname);
  if (answer === undefined) return undefined;
  // The request body, if any, is not needed: drain it so the connection can be reused.
  request.resume();
  return (async () => {
    const body = Buffer.from(await answer.arrayBuffer());
    const headers = Object.fromEntries(answer.headers);
    if (answer.status !== 204) headers['content-length'] = String(body.length);
    response.writeHead(answer.status, headers);
    response.end(answer.status === 204 || request.method === 'HEAD' ? undefined : body);
  })();
}
