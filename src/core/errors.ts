/**
 * The one error type of imagefleet. Every layer throws it with a code from a closed set; each edge
 * maps the code once (HTTP status table, CLI exit code, engine failure class).
 *
 * Identity is checked with `isImagefleetError`, not `instanceof`: Next.js bundles its own copy of
 * this module, so an error thrown by the engine (loaded by the server shell) and checked inside a
 * route handler comes from a different class object.
 */
import type { QuotaDimension } from './quota-failure.js';
import { redactUrlCredentials } from './url-credentials.js';

export const errorCodes = [
  /** Input failed validation; `issues` says which field and why. */
  'invalid_input',
  /** The configuration (environment or flags) is unusable; the message names the variable. */
  'config_invalid',
  /** A referenced entity does not exist. */
  'not_found',
  /** The request conflicts with current state (e.g. deleting a non-empty group). */
  'conflict',
  /** The data directory or database cannot be used (missing, unwritable, corrupt, disk full). */
  'storage_unavailable',
  /** A job's budget does not allow the requested work. */
  'budget_exceeded',
  /** The operation was canceled (job canceled, shutdown, client gone). */
  'canceled',
  /** Provider said: too many requests; retry after `retryAfterMs`. Uses no attempt. */
  'provider_rate_limited',
  /** Provider or network failed in a way a retry may fix (5xx, reset, timeout, no image). */
  'provider_transient',
  /** Provider refused the content (safety / prohibited). Never retried. */
  'provider_blocked',
  /** Provider rejected the request as malformed (400). Never retried. */
  'provider_invalid',
  /** Provider cannot serve anything now (bad key, daily quota, server down): pause it. */
  'provider_paused',
  /** A bug: something that should not happen. */
  'internal',
  /** The request carries no valid credentials (HTTP API with a token configured). */
  'unauthorized',
  /** The request is understood but refused (e.g. a cross-origin browser request to a state-changing route). */
  'forbidden',
  /** The input is larger than a configured limit (bytes, entries, expanded size). */
  'payload_too_large',
  /** The input's type (judged by its bytes or its declared content type) is not one that is accepted. */
  'unsupported_media_type',
  /** The input is well-formed but cannot be processed (e.g. an image over the pixel limit, corrupt image data). */
  'unprocessable',
  /** Too many concurrent requests of one kind; try again later (`retryAfterMs` when known). */
  'too_many_requests',
  /** The HTTP method is not one the route serves (the answer lists those in `Allow`). */
  'method_not_allowed',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One field-level problem in a validation error. */
export interface ErrorIssue {
  /** Dotted path of the offending field, e.g. `items.0.prompts.1.count`; empty for the whole input. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export interface ImagefleetErrorOptions {
  /** Field-level problems (validation errors). */
  issues?: ErrorIssue[];
  /** For `provider_rate_limited` / `provider_paused`: how long to wait before trying again, in ms. */
  retryAfterMs?: number;
  /** For `provider_rate_limited`: the quota the 429 named (QuotaFailure `quotaId`), when the provider said. */
  quotaDimension?: QuotaDimension;
  /** The underlying error, kept for logs; never shown to end users verbatim. */
  cause?: unknown;
}

const brand = Symbol.for('imagefleet.error');

export class ImagefleetError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[];
  readonly retryAfterMs: number | undefined;
  readonly quotaDimension: QuotaDimension | undefined;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: ImagefleetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ImagefleetError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.retryAfterMs = options.retryAfterMs;
    this.quotaDimension = options.quotaDimension;
  }
}

export function isImagefleetError(value: unknown): value is ImagefleetError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Wraps anything thrown into an ImagefleetError, keeping ImagefleetErrors as they are except that
 * credentials quoted in a URL (`https://user:password@…`) are redacted from the message and issues.
 */
export function toImagefleetError(value: unknown): ImagefleetError {
  if (isImagefleetError(value)) {
    const message = redactUrlCredentials(value.message);
    const issuesChanged = value.issues.some((issue) => redactUrlCredentials(issue.message) !== issue.message);
    if (message === value.message && !issuesChanged) return value;
    return new ImagefleetError(value.code, message, {
      issues: value.issues.map((issue) => ({ path: issue.path, message: redactUrlCredentials(issue.message) })),
      ...(value.retryAfterMs === undefined ? {} : { retryAfterMs: value.retryAfterMs }),
      ...(value.quotaDimension === undefined ? {} : { quotaDimension: value.quotaDimension }),
    });
  }
  const systemCode = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  // A full disk is not a bug: whatever raised it (an upload's temporary file, a thumbnail, SQLite),
  // it is the data directory being unavailable, 503 for a client, not 500.
  if (systemCode === 'ENOSPC' || systemCode === 'EDQUOT' || systemCode === 'SQLITE_FULL') {
    return new ImagefleetError('storage_unavailable', 'The disk holding the data directory is full (or over its quota); free some space and try again.', { cause: value });
  }
  const message = value instanceof Error ? value.message : String(value);
  return new ImagefleetError('internal', redactUrlCredentials(message), { cause: value });
}

/** Builds the `invalid_input` error from a list of issues; the message lists them all. */
export function invalidInput(issues: ErrorIssue[], summary = 'Invalid input'): ImagefleetError {
  const detail = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  return new ImagefleetError('invalid_input', detail ? `${summary}: ${detail}` : summary, { issues });
}
