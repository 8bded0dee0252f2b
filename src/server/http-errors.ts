/**
 * The one error-to-HTTP table of the API. Every handler throws `ImagefleetError`s (or lets
 * unexpected errors escape); `errorResponse` turns them into
 * `{ "error": { "code", "message", "details"? } }` with the status below. Unknown errors (and
 * `internal` ones, whose messages are for developers) are logged with their detail and answered
 * without it, so nothing about the server's insides (paths, stack traces, keys) reaches a client.
 *
 * Identity is checked with `isImagefleetError`, never `instanceof`: Next bundles its own copy of
 * the error module, separate from the one the engine threw from.
 */
import { isImagefleetError, toImagefleetError, type ErrorCode, type ErrorIssue } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { redactUrlCredentials } from '../core/url-credentials.js';

/** HTTP status of every error code. */
export const httpStatusByErrorCode: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  config_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  budget_exceeded: 409,
  canceled: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  provider_blocked: 422,
  provider_invalid: 422,
  too_many_requests: 429,
  provider_rate_limited: 429,
  internal: 500,
  storage_unavailable: 503,
  provider_transient: 503,
  provider_paused: 503,
};

/** The error body every API error has. */
export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: { issues?: ErrorIssue[]; retryAfterSeconds?: number };
  };
}

/** Headers every error answer carries. */
const errorHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/**
 * The response for anything a handler threw. `requestId` ties a 500 answer to its log line.
 */
export function errorResponse(thrown: unknown, logger: Logger, requestId: string, route = ''): Response {
  // Unknown errors the table still knows by their system code (a full disk) keep their meaning.
  const error = isImagefleetError(thrown) ? thrown : toImagefleetError(thrown);
  if (error.code === 'internal') {
    logger.error({ err: thrown, requestId, route }, 'API request failed unexpectedly');
    const body: ApiErrorBody = {
      error: { code: 'internal', message: `An unexpected error occurred; the server log has the details (request ${requestId}).` },
    };
    return Response.json(body, { status: 500, headers: { ...errorHeaders, 'x-request-id': requestId } });
  }
  const status = httpStatusByErrorCode[error.code];
  const details: NonNullable<ApiErrorBody['error']['details']> = {};
  if (error.issues.length > 0) details.issues = error.issues.map((issue) => ({ path: issue.path, message: redactUrlCredentials(issue.message) }));
  const headers: Record<string, string> = { ...errorHeaders, 'x-request-id': requestId };
  if (error.retryAfterMs !== undefined && (status === 429 || status === 503)) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    details.retryAfterSeconds = seconds;
    headers['retry-after'] = String(seconds);
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="imagefleet"';
  if (status >= 500) logger.warn({ code: error.code, message: error.message, requestId, route }, 'API request failed');
  const body: ApiErrorBody = { error: { code: error.code, message: redactUrlCredentials(error.message), ...(Object.keys(details).length > 0 ? { details } : {}) } };
  return Response.json(body, { status, headers });
}
