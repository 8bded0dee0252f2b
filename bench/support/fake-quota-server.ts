import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiKeyHeader, generatePath, imageReplyBody, parseGenerateRequestBody } from './image-reply-protocol.js';
import { readRequestText } from './read-request-text.js';
import { SlidingWindowQuota } from './sliding-window-quota.js';

/** One request as the server saw it. */
export interface QuotaServerRecord {
  apiKey: string;
  /** When the request reached the handler; the quota is decided at this moment. */
  arrivalMs: number;
  /** 200 (accepted, even if the client hung up before the reply) or 429. */
  status: 200 | 429;
  /** For a 429: the delay the reply announced (until the window frees a slot), ms. */
  retryDelayMs: number | undefined;
  /** When the reply was sent; undefined when the client hung up first. */
  respondedAtMs: number | undefined;
}

export interface FakeQuotaServerOptions {
  /** Accepted requests allowed per key in any window. */
  requestsPerWindow: number;
  /** Window length, ms; 60,000 for a per-minute quota. */
  windowMs: number;
  /** Mean time an accepted request takes, ms. */
  latencyMs: number;
  /** Accepted requests take latencyMs ± up to this much, uniformly, ms. */
  latencyJitterMs: number;
  png: Uint8Array;
  pngSidePixels: number;
}

export interface FakeQuotaServer {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Every request so far, in arrival order. */
  readonly records: readonly QuotaServerRecord[];
  close(): Promise<void>;
}

/**
 * A stand-in for a per-minute-limited image API (Gemini-like) on 127.0.0.1: a sliding window of N
 * accepted requests per API key; beyond it, HTTP 429 with Google's RESOURCE_EXHAUSTED body, a
 * RetryInfo delay and Retry-After, both saying when the window frees a slot. Accepted requests take
 * a jittered latency and return a small PNG as base64 JSON.
 */
export async function startFakeQuotaServer(options: FakeQuotaServerOptions): Promise<FakeQuotaServer> {
  const quota = new SlidingWindowQuota(options.requestsPerWindow, options.windowMs);
  const records: QuotaServerRecord[] = [];
  const pendingReplies = new Set<NodeJS.Timeout>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrivalMs = Date.now();
    if (request.method !== 'POST' || request.url !== generatePath) {
      sendJson(response, 404, { error: { code: 404, status: 'NOT_FOUND', message: `No route ${request.method ?? ''} ${request.url ?? ''}` } });
      return;
    }
    const apiKey = request.headers[apiKeyHeader];
    if (typeof apiKey !== 'string' || apiKey === '') {
      sendJson(response, 401, { error: { code: 401, status: 'UNAUTHENTICATED', message: `Missing ${apiKeyHeader} header.` } });
      return;
    }
    const decision = quota.decide(apiKey, arrivalMs);
    const record: QuotaServerRecord = { apiKey, arrivalMs, status: decision.accepted ? 200 : 429, retryDelayMs: undefined, respondedAtMs: undefined };
    records.push(record);
    const body = parseGenerateRequestBody(await readRequestText(request));

    if (!decision.accepted) {
      record.retryDelayMs = decision.retryAfterMs;
      response.setHeader('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
      sendJson(response, 429, rateLimitedBody(decision.retryAfterMs, options.requestsPerWindow));
      record.respondedAtMs = Date.now();
      return;
    }
    const delayMs = Math.max(0, options.latencyMs + (Math.random() * 2 - 1) * options.latencyJitterMs - (Date.now() - arrivalMs));
    const timer = setTimeout(() => {
      pendingReplies.delete(timer);
      if (response.destroyed) return;
      sendJson(response, 200, imageReplyBody(options.png, options.pngSidePixels, body.n, randomUUID()));
      record.respondedAtMs = Date.now();
    }, delayMs);
    pendingReplies.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      pendingReplies.delete(timer);
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { code: 500, status: 'INTERNAL', message: String(error) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    records,
    close: async () => {
      for (const timer of pendingReplies) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Google's shape for a per-minute quota refusal (google.rpc.Status with RetryInfo). */
function rateLimitedBody(retryAfterMs: number, limit: number): unknown {
  return {
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: `Quota exceeded for metric: generate_requests_per_minute, limit: ${limit}. Please retry in ${(retryAfterMs / 1000).toFixed(3)}s.`,
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${(retryAfterMs / 1000).toFixed(3)}s` }],
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
