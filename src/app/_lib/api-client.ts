/**
 * The browser's one way to call the API: JSON in and out, and every error answer turned into an
 * `ApiError` whose message is the server's sentence for people (it already says what to change).
 */
import type { ErrorBody } from './api-types.js';

/** One bad field, as the API names it (`items.0.seed`, `prompt`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The API's stable error code (`invalid_input`, `conflict`, …), or `network` when unreachable. */
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for one field (by exact path or its first segment), for showing next to that control. */
  issueFor(path: string): string | undefined {
    return this.issues.find((issue) => issue.path === path || issue.path.startsWith(`${path}.`))?.message;
  }
}

/** Whether an error thrown by `apiRequest` is an ApiError (works across bundles, unlike instanceof alone). */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof Error && error.name === 'ApiError' && 'code' in error;
}

/** A sentence for people from anything thrown. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error && error.message !== '') return error.message;
  return 'Something went wrong. Try again.';
}

export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls `/api…` and returns the parsed JSON body; throws ApiError for any non-2xx answer. */
export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const init: RequestInit = { method: options.method ?? 'GET', signal: options.signal ?? null, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (options.body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The imagefleet server cannot be reached. Is it still running?');
  }
  return readJsonResponse<T>(response);
}

/** Uploads one file as `multipart/form-data` (field `file`) and returns the parsed JSON answer. */
export async function apiUpload<T>(path: string, file: Blob, fileName: string, signal?: AbortSignal): Promise<T> {
  const form = new FormData();
  form.append('file', file, fileName);
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', body: form, signal: signal ?? null, credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The imagefleet server cannot be reached. Is it still running?');
  }
  return readJsonResponse<T>(response);
}

/** Parses an API answer: the JSON body on 2xx, an ApiError otherwise. */
export async function readJsonResponse<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
  throw apiErrorFrom(response.status, text);
}

/** Builds the ApiError for an error answer's status and body text. */
export function apiErrorFrom(status: number, bodyText: string): ApiError {
  try {
    const body = JSON.parse(bodyText) as ErrorBody;
    if (body?.error?.message) {
      return new ApiError(status, body.error.code, body.error.message, body.error.details?.issues ?? [], body.error.details?.retryAfterSeconds);
    }
  } catch {
    // Not JSON (a proxy's error page): fall through to a generic sentence.
  }
  return new ApiError(status, 'http_error', `The server answered ${status}. Try again; if it persists, check the server's log.`);
}
