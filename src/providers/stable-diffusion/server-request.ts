/**
 * HTTP calls to a self-hosted Stable Diffusion server (AUTOMATIC1111, ComfyUI) with the failure
 * mapping both share: a server that is not there pauses the provider for a while ("is the server
 * running at …?"), timeouts and resets are transient, a cancel stays a cancel. Each provider reads
 * its own error bodies (`readErrorReply`), because their shapes differ.
 */
import { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';
import { basicAuthorization, loginInUrl } from './basic-auth.js';

/** How long a provider whose server cannot be reached stays paused before imagefleet tries again, ms. */
export const serverDownRetryMs = 30_000;

/** Network errors that mean "nothing listens there", not "the call broke half-way". */
const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

export interface ServerConnection {
  /** Base URL as configured (may end with a path such as `/sd`; a trailing slash is ignored). */
  baseUrl: string;
  /** The server in messages, e.g. "the Stable Diffusion web UI". */
  serverName: string;
  /** The variable holding the base URL, named in "is the server running" messages. */
  baseUrlVariable: string;
  /** The variable holding the timeout, named when a call runs out of time. */
  timeoutVariable: string;
  /** Headers sent with every request (e.g. Authorization). Never quoted in messages. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Turns a non-2xx reply into the error to throw; `action` completes "… while <action>". */
  readErrorReply: (status: number, bodyText: string, action: string) => ImagefleetError;
}

export interface ServerRequest {
  method: 'GET' | 'POST';
  /** Path and query, starting with `/`. */
  path: string;
  /** JSON body (sent with `content-type: application/json`). */
  json?: unknown;
  /** Any other body (multipart uploads). */
  body?: FormData | undefined;
  /** The caller's signal: aborting it is a cancel, not a failure. */
  signal?: AbortSignal | undefined;
  /** Longest wait for the whole reply, ms. */
  timeoutMs: number;
  /** What the call does, completing "… while <action>" in messages. */
  action: string;
}

/** The base URL as shown in messages: without any user name or password, without a trailing slash. */
export function displayBaseUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return '(an unparsable URL)';
  }
}

/** Sends one request and returns the successful reply with its body still unread; throws the mapped error otherwise. */
export async function requestServer(connection: ServerConnection, request: ServerRequest): Promise<Response> {
  const { baseUrl, authorization } = splitCredentials(connection.baseUrl);
  const url = `${baseUrl}${request.path}`;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...(authorization === undefined ? {} : { authorization }), ...connection.headers };
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      body: request.json !== undefined ? JSON.stringify(request.json) : request.body,
      signal,
    });
  } catch (error) {
    throw mapNetworkFailure(error, connection, request);
  }
  if (response.ok) return response;
  const bodyText = await readBodyText(response, request, connection);
  throw connection.readErrorReply(response.status, bodyText, request.action);
}

/**
 * The base URL without a trailing slash and without `user:password@`, which fetch refuses (quoting
 * the whole URL, password included, in its error): they become a Basic `Authorization` header.
 */
function splitCredentials(baseUrl: string): { baseUrl: string; authorization: string | undefined } {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const login = loginInUrl(trimmed);
  if (login === undefined) return { baseUrl: trimmed, authorization: undefined };
  const url = new URL(trimmed);
  url.username = '';
  url.password = '';
  return { baseUrl: url.toString().replace(/\/+$/, ''), authorization: basicAuthorization(login) };
}

/** Sends one request and parses the JSON reply. A reply that is not JSON is transient (a proxy's error page). */
export async function requestServerJson(connection: ServerConnection, request: ServerRequest): Promise<unknown> {
  const response = await requestServer(connection, request);
  const text = await readBodyText(response, request, connection);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw providerError('transient', `${capitalise(connection.serverName)} answered with something that is not JSON while ${request.action}: ${JSON.stringify(text.slice(0, 200))}.`, { cause: error });
  }
}

/** Sends one request and returns the reply's bytes (images). */
export async function requestServerBytes(connection: ServerConnection, request: ServerRequest): Promise<Uint8Array> {
  const response = await requestServer(connection, request);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw mapNetworkFailure(error, connection, request);
  }
}

async function readBodyText(response: Response, request: ServerRequest, connection: ServerConnection): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw mapNetworkFailure(error, connection, request);
  }
}

/** The error for a call that got no (complete) reply. */
function mapNetworkFailure(error: unknown, connection: ServerConnection, request: ServerRequest): ImagefleetError {
  if (request.signal?.aborted) return new ImagefleetError('canceled', `Canceled while ${request.action}.`, { cause: error });
  const where = displayBaseUrl(connection.baseUrl);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return providerError('transient', `${capitalise(connection.serverName)} at ${where} did not answer within ${request.timeoutMs} ms (${connection.timeoutVariable}) while ${request.action}.`, { cause: error });
  }
  const code = systemErrorCode(error);
  if (code !== undefined && unreachableCodes.has(code)) {
    return providerError(
      'paused',
      `Could not connect to ${connection.serverName} (${code}) while ${request.action}: is the server running at ${where}? Check ${connection.baseUrlVariable}; imagefleet tries again in ${serverDownRetryMs / 1000} s.`,
      { retryAfterMs: serverDownRetryMs, cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return providerError('transient', `The connection to ${connection.serverName} at ${where} failed while ${request.action}: ${detail}${code ? ` (${code})` : ''}.`, { cause: error });
}

/** The system error code a fetch failure hides in `cause` (or in the first of an AggregateError's errors). */
function systemErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    if ('code' in current && typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** "The Stable Diffusion web UI" from "the Stable Diffusion web UI". */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
