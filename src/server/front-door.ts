/**
 * The checks every request passes in `imagefleet serve` before Next.js or any route sees it
 * (issue 21): the `Host` allow-list (DNS rebinding), well-formed percent-encoding of the path, a
 * body size bounded by its declared length, and the security headers of every answer. Each refusal is the API's usual JSON error, sent with
 * `Connection: close` so a refused body is never read.
 *
 * Why the Host header: on a loopback server without a token, the same-origin check compares
 * `Origin` with `Host`; a page whose name was rebound to 127.0.0.1 sends its own name in both, so
 * only a list of names this server answers to tells it apart from the studio's own pages.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/config.js';
import { isLoopbackHost } from '../config/is-loopback-host.js';
import { ImagefleetError, invalidInput } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isClientDisconnect } from './client-disconnect.js';
import { errorResponse } from './http-errors.js';
import { maxJsonBodyBytes } from './request-input.js';

/** Room for multipart boundaries and part headers around an upload's file, in bytes. */
const multipartOverheadBytes = 1024 * 1024;

/** Most live-event streams one client address may hold open at once; the server's own cap is `maxEventStreams`. */
export const maxEventStreamsPerAddress = 200;

/** Refused bodies up to this size are read (and discarded) before the answer, in bytes: 64 MiB. */
const maxDrainedBodyBytes = 64 * 1024 * 1024;

/** Listen addresses that mean "every interface of this machine". */
const wildcardAddresses = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * Headers every answer carries (pages above all; Next keeps headers set before it writes):
 * no framing by other sites, no MIME sniffing, no referrer to other origins, and a Content
 * Security Policy. Next's app router hydrates with inline scripts, so scripts allow
 * `'unsafe-inline'` but no other origin; development mode also needs `eval` and the hot-reload
 * WebSocket.
 */
export function securityHeaders(options: { dev: boolean }): Record<string, string> {
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${options.dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
}

/** The front door of one server. */
export interface FrontDoor {
  /** Whether `hostName` (no port, lower case, no brackets) is one this server answers to. */
  allowsHost(hostName: string): boolean;
  /**
   * True when the request may go on (its response then carries `securityHeaders`); false when it
   * was refused here and the refusal has been sent.
   */
  admit(request: IncomingMessage, response: ServerResponse): boolean;
}

export function createFrontDoor(config: Config, logger: Logger, options: { dev?: boolean } = {}): FrontDoor {
  const headers = Object.entries(securityHeaders({ dev: options.dev === true }));
  const allowsHost = hostAllowList(config);
  const uploadLimitBytes = config.api.uploadMaxBytes + multipartOverheadBytes;
  const zipUploadLimitBytes = config.api.zipUploadMaxBytes + multipartOverheadBytes;

  const bodyLimit = (pathname: string): { bytes: number; source: string } => {
    if (pathname === '/api/uploads/zip' || pathname === '/api/uploads/zip/') return { bytes: zipUploadLimitBytes, source: 'IMAGEFLEET_ZIP_UPLOAD_MAX_BYTES plus 1 MiB for the form' };
    if (pathname === '/api/uploads' || pathname === '/api/uploads/') return { bytes: uploadLimitBytes, source: 'IMAGEFLEET_UPLOAD_MAX_BYTES plus 1 MiB for the form' };
    return { bytes: maxJsonBodyBytes, source: 'the API\'s JSON body limit' };
  };

  const refusal = (request: IncomingMessage): ImagefleetError | undefined => {
    const hosts = [request.headers.host, ...(headerText(request.headers['x-forwarded-host']) ?? '').split(',')]
      .map((host) => host?.trim())
      .filter((host): host is string => host !== undefined && host !== '');
    if (request.headers.host === undefined || request.headers.host.trim() === '') {
      return invalidInput([{ path: 'Host', message: 'the Host header is required' }], 'Missing Host header');
    }
    for (const host of hosts) {
      const name = hostNameOf(host);
      if (name === undefined || !allowsHost(name)) {
        return new ImagefleetError(
          'forbidden',
          `This server does not answer to the host name "${host.slice(0, 100)}"; open it by an allowed name (such as 127.0.0.1 or localhost), or add the name to IMAGEFLEET_ALLOWED_HOSTS.`,
        );
      }
    }
    const target = request.url ?? '/';
    const pathname = target.split('?')[0] ?? '/';
    try {
      decodeURIComponent(pathname);
    } catch {
      return invalidInput([{ path: 'url', message: 'the path has a malformed percent-encoding (a % not followed by two hex digits forming UTF-8)' }], 'Malformed URL');
    }
    const declared = Number(headerText(request.headers['content-length']) ?? Number.NaN);
    const limit = bodyLimit(pathname);
    if (Number.isFinite(declared) && declared > limit.bytes) {
      return new ImagefleetError('payload_too_large', `The request body (${declared} bytes) is larger than this route takes (${limit.bytes} bytes: ${limit.source}); nothing was stored.`);
    }
    return undefined;
  };

  // Live-event streams per client address: one client cannot take every stream of the server.
  const eventStreamsByAddress = new Map<string, number>();
  const eventStreamRefusal = (request: IncomingMessage, response: ServerResponse): ImagefleetError | undefined => {
    if (request.method !== 'GET' || !/^\/api\/events\/?(\?|$)/.test(request.url ?? '')) return undefined;
    const address = request.socket.remoteAddress ?? 'unknown';
    const open = eventStreamsByAddress.get(address) ?? 0;
    if (open >= maxEventStreamsPerAddress) {
      return new ImagefleetError('too_many_requests', `This address already has ${maxEventStreamsPerAddress} live-event streams open; close some or try again later.`, { retryAfterMs: 10_000 });
    }
    eventStreamsByAddress.set(address, open + 1);
    response.once('close', () => {
      const left = (eventStreamsByAddress.get(address) ?? 1) - 1;
      if (left <= 0) eventStreamsByAddress.delete(address);
      else eventStreamsByAddress.set(address, left);
    });
    return undefined;
  };

  return {
    allowsHost,
    admit(request, response) {
      for (const [name, value] of headers) response.setHeader(name, value);
      const error = refusal(request) ?? eventStreamRefusal(request, response);
      if (error === undefined) return true;
      const requestId = randomUUID();
      const route = `${request.method ?? 'GET'} ${safePathname(request.url)}`;
      logger.warn({ code: error.code, message: error.message, requestId, route, host: request.headers.host?.slice(0, 200) }, 'request refused at the front door');
      const send = () => void sendWebResponse(errorResponse(error, logger, requestId, route), response, { close: true });
      request.on('error', () => undefined);
      // A client still sending its body reads no answer if the connection closes under it (it
      // sees EPIPE), so a body of a sane size is read and thrown away first; a larger one is
      // answered at once and cut when the answer is out.
      const declared = Number(headerText(request.headers['content-length']) ?? 0);
      const chunked = request.headers['transfer-encoding'] !== undefined;
      if (request.complete || (!chunked && declared === 0)) send();
      else if (!chunked && Number.isFinite(declared) && declared <= maxDrainedBodyBytes) {
        request.once('end', send);
        request.resume();
      } else {
        send();
        request.resume();
      }
      return false;
    },
  };
}

/**
 * The allow-list: loopback names and addresses, the listen address (or, on a wildcard address,
 * this machine's interface addresses), the public URL's host and `IMAGEFLEET_ALLOWED_HOSTS`.
 */
function hostAllowList(config: Config): (hostName: string) => boolean {
  if (config.server.allowedHosts.includes('*')) return () => true;
  const allowed = new Set(config.server.allowedHosts.map(normalizeHostName));
  const listenHost = normalizeHostName(config.server.host);
  if (wildcardAddresses.has(listenHost)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) allowed.add(normalizeHostName(address.address.split('%')[0] ?? ''));
    }
  } else {
    allowed.add(listenHost);
  }
  if (config.api.publicUrl !== undefined) allowed.add(normalizeHostName(new URL(config.api.publicUrl).hostname));
  return (hostName) => {
    const name = normalizeHostName(hostName);
    return isLoopbackHost(name) || allowed.has(name);
  };
}

/** `example.com:3000` → `example.com`; `[::1]:3000` → `::1`; undefined when it is not a host. */
export function hostNameOf(hostHeader: string): string | undefined {
  const text = hostHeader.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return undefined;
    const rest = text.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return text.slice(1, end);
  }
  const match = /^([a-z0-9._-]+)(:\d{1,5})?$/.exec(text);
  return match?.[1];
}

function normalizeHostName(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function safePathname(url: string | undefined): string {
  return (url ?? '/').split('?')[0]?.slice(0, 200) ?? '/';
}

/** Writes a web `Response` (a small error body) to a Node response. */
export async function sendWebResponse(webResponse: Response, response: ServerResponse, options: { close?: boolean } = {}): Promise<void> {
  const body = Buffer.from(await webResponse.arrayBuffer());
  const headers: Record<string, string> = { ...Object.fromEntries(webResponse.headers), 'content-length': String(body.length) };
  if (options.close) headers.connection = 'close';
  response.writeHead(webResponse.status, headers);
  response.end(body);
}

/**
 * The custom server's answer when Next or the download handler rejected: a client that went away
 * is logged at debug; anything else is logged at error and answered with the API's JSON 500 (or,
 * once headers are out, by cutting the connection — appending an error would corrupt the body).
 */
export function answerFailedRequest(error: unknown, request: IncomingMessage, response: ServerResponse, logger: Logger): void {
  const route = `${request.method ?? 'GET'} ${safePathname(request.url)}`;
  if (isClientDisconnect(error, request, response)) {
    logger.debug({ route, error: error instanceof Error ? error.message : String(error) }, 'client went away before the answer was complete');
    response.destroy();
    return;
  }
  if (response.headersSent) {
    logger.error({ err: error, route }, 'request failed after its answer started; connection cut');
    response.destroy();
    return;
  }
  void sendWebResponse(errorResponse(error, logger, randomUUID(), route), response);
}
