/**
 * Wraps a plain API handler with what every route needs: the fleet of this process, the
 * authentication and same-origin checks, a request id, route parameters, security headers and the
 * one error table. Route files in `src/app/api` export the wrapped handler in one line.
 */
import { randomUUID } from 'node:crypto';
import { ImagefleetError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { assertAuthenticated, assertSameOrigin } from './auth.js';
import { getFleet } from './fleet-holder.js';
import { errorResponse } from './http-errors.js';

/** What a handler receives. */
export interface ApiContext<Params> {
  request: Request;
  fleet: Fleet;
  url: URL;
  /** Route parameters, as strings (validate them with the route's schema). */
  params: Params;
  requestId: string;
}

export interface ApiRouteOptions {
  /** `public`: no token needed (sign-in, the API documentation). Default: the token is needed when one is configured. */
  access?: 'token' | 'public';
  /** A short name for logs, e.g. `GET /api/jobs/{id}/status`. */
  name?: string;
}

/** Next's second argument to a route handler. */
export interface RouteHandlerContext<Params> {
  params: Promise<Params>;
}

export type RouteHandler<Params> = (request: Request, context?: RouteHandlerContext<Params>) => Promise<Response>;

/** Builds the `(request, context) => Response` a route file exports. */
export function apiRoute<Params extends Record<string, string> = Record<string, never>>(
  handler: (context: ApiContext<Params>) => Promise<Response>,
  options: ApiRouteOptions = {},
): RouteHandler<Params> {
  return async (request, routeContext) => {
    const outcome = await runInApiContext(request, routeContext?.params, handler, options);
    return outcome.ok ? withCommonHeaders(outcome.value, outcome.requestId) : outcome.response;
  };
}

/** What `runInApiContext` produced: the handler's value, or the error answer. */
export type ApiOutcome<T> = { ok: true; value: T; requestId: string } | { ok: false; response: Response };

/**
 * Runs `handler` with the checks every route has (fleet present, same origin, token) and maps
 * anything thrown to the error answer. For handlers whose result is not a web `Response` (the
 * plain Node download route).
 */
export async function runInApiContext<T, Params extends Record<string, string>>(
  request: Request,
  params: Promise<Params> | Params | undefined,
  handler: (context: ApiContext<Params>) => Promise<T>,
  options: ApiRouteOptions = {},
): Promise<ApiOutcome<T>> {
  const requestId = randomUUID();
  const fleet = getFleet();
  const logger = fleet?.logger ?? silentLogger;
  try {
    if (fleet === undefined) throw new ImagefleetError('storage_unavailable', 'The imagefleet engine is not running in this process; start the server with "imagefleet serve".');
    assertSameOrigin(request);
    if (options.access !== 'public') await assertAuthenticated(request, fleet);
    const resolved = ((await params) ?? {}) as Params;
    const value = await handler({ request, fleet, url: new URL(request.url), params: resolved, requestId });
    return { ok: true, value, requestId };
  } catch (error) {
    return { ok: false, response: errorResponse(error, logger, requestId, options.name ?? `${request.method} ${safePath(request.url)}`) };
  }
}

/** Adds the headers every API answer carries (no-store unless set, nosniff, the request id). */
export function withCommonHeaders(response: Response, requestId: string): Response {
  try {
    if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
    response.headers.set('x-content-type-options', 'nosniff');
    response.headers.set('x-request-id', requestId);
  } catch {
    // Immutable headers (a fetched Response passed through): leave them as they are.
  }
  return response;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '?';
  }
}
