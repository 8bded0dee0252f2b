import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerPidHeader, generatePath, imageReplyBody, parseGenerateRequestBody } from './image-reply-protocol.js';
import { readRequestText } from './read-request-text.js';

/** One provider call as the recording server saw it. */
export interface RecordedCall {
  /** The prompt, which the recovery benchmark makes unique per task, so it names the task. */
  prompt: string;
  /** When the request reached the server, epoch ms. */
  arrivalMs: number;
  /** Process id of the caller (from the x-caller-pid header), when it sent one. */
  callerPid: number | undefined;
  /** The latency drawn for this call, ms. */
  latencyMs: number;
  /** When the reply was sent; undefined when the caller died (or hung up) first. */
  respondedAtMs: number | undefined;
}

export interface RecordingServerOptions {
  minLatencyMs: number;
  maxLatencyMs: number;
  png: Uint8Array;
  pngSidePixels: number;
}

export interface RecordingServer {
  baseUrl: string;
  readonly calls: readonly RecordedCall[];
  /** Resolves true once `count` calls have arrived, false after `timeoutMs`. */
  waitForCallCount(count: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A provider stand-in on 127.0.0.1 that records every call (prompt, arrival, latency) and answers
 * each after 50–150 ms with a small PNG. It lives in the benchmark process, so its record survives
 * the worker kills it is meant to witness.
 */
export async function startRecordingServer(options: RecordingServerOptions): Promise<RecordingServer> {
  const calls: RecordedCall[] = [];
  const waiters = new Set<{ count: number; resolve: (reached: boolean) => void }>();
  const pendingReplies = new Set<NodeJS.Timeout>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const arrivalMs = Date.now();
    if (request.method !== 'POST' || request.url !== generatePath) {
      response.writeHead(404).end();
      return;
    }
    const body = parseGenerateRequestBody(await readRequestText(request));
    const latencyMs = options.minLatencyMs + Math.random() * (options.maxLatencyMs - options.minLatencyMs);
    const pidText = request.headers[callerPidHeader];
    const callerPid = typeof pidText === 'string' && /^\d+$/.test(pidText) ? Number(pidText) : undefined;
    const call: RecordedCall = { prompt: body.prompt, arrivalMs, callerPid, latencyMs, respondedAtMs: undefined };
    calls.push(call);
    for (const waiter of waiters) {
      if (calls.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
    const timer = setTimeout(() => {
      pendingReplies.delete(timer);
      if (response.destroyed) return;
      const text = JSON.stringify(imageReplyBody(options.png, options.pngSidePixels, body.n, randomUUID()));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
      call.respondedAtMs = Date.now();
    }, latencyMs);
    pendingReplies.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      pendingReplies.delete(timer);
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    waitForCallCount(count, timeoutMs) {
      if (calls.length >= count) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = {
          count,
          resolve: (reached: boolean) => {
            clearTimeout(timer);
            resolve(reached);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: async () => {
      for (const timer of pendingReplies) clearTimeout(timer);
      for (const waiter of waiters) waiter.resolve(false);
      waiters.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
