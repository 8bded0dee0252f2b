/**
 * The TypeScript side of the worker image: a small HTTP service on loopback that the Python
 * handler (`worker/handler.py`, RunPod's official runtime) forwards each job to
 * (decisions/0015). `GET /ping` says it is ready and how many jobs the handler may run at once;
 * `POST /jobs` takes `{ id, input }` and answers `{ output }` or `{ error }` with HTTP 200.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleWorkerJob, type WorkerJobContext } from './handle-worker-job.js';

export interface WorkerServiceSettings {
  /** Address to listen on; loopback by default: only the handler in the same container calls it. */
  host?: string | undefined;
  /** Port; 0 picks a free one (tests). */
  port: number;
  /** Jobs the Python handler may run at once, reported by `/ping`. */
  concurrency: number;
  context: WorkerJobContext;
}

export interface WorkerService {
  /** `http://host:port` the handler posts to. */
  readonly url: string;
  close(): Promise<void>;
}

/** Largest `POST /jobs` body: RunPod's /run takes 10 MB, so this leaves room. */
const maxRequestBytes = 32 * 1024 * 1024;

export async function startWorkerService(settings: WorkerServiceSettings): Promise<WorkerService> {
  const host = settings.host ?? '127.0.0.1';
  const active = new Set<AbortController>();
  const server = http.createServer((request, response) => {
    route(request, response, settings, active).catch((error: unknown) => {
      settings.context.logger.error({ error: String(error) }, 'Worker service failed to answer a request.');
      if (!response.headersSent) sendJson(response, 500, { message: 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    async close() {
      for (const controller of active) controller.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(request: IncomingMessage, response: ServerResponse, settings: WorkerServiceSettings, active: Set<AbortController>): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://worker').pathname;
  if (request.method === 'GET' && path === '/ping') {
    sendJson(response, 200, { status: 'ready', concurrency: settings.concurrency, providers: settings.context.providers.list().map((provider) => provider.id) });
    return;
  }
  if (request.method !== 'POST' || path !== '/jobs') {
    sendJson(response, 404, { message: 'Use GET /ping or POST /jobs.' });
    return;
  }
  const body = await readJson(request);
  if (body === undefined) {
    sendJson(response, 400, { message: `The body must be JSON {"id", "input"} of at most ${maxRequestBytes} bytes.` });
    return;
  }
  const job = body as { id?: unknown; input?: unknown };
  const jobId = typeof job.id === 'string' && job.id.length > 0 ? job.id : 'local-test';
  const controller = new AbortController();
  active.add(controller);
  // The handler gave up (RunPod canceled or timed the job out): stop the provider call too.
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  try {
    const answer = await handleWorkerJob(jobId, job.input, controller.signal, settings.context);
    if (!response.destroyed) sendJson(response, 200, answer);
  } finally {
    active.delete(controller);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxRequestBytes) return undefined;
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
