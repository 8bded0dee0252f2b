/**
 * A fake RunPod Serverless endpoint speaking the queue API the `runpod` provider uses: `POST /run`,
 * `GET /status/{id}`, `POST /cancel/{id}` under `/v2/{endpointId}`, with bearer auth. Jobs move
 * IN_QUEUE → IN_PROGRESS → COMPLETED one step per status check (or wait in IN_PROGRESS until the
 * test finishes them, with `completion: 'manual'`). Failures, timeouts, expiry (404) and 429s can
 * be injected. Everything is recorded, so tests count `/run` calls per task and see cancels.
 *
 * By default a job's output is made here (solid PNGs in imagefleet's worker format); `execute`
 * lets a test run the real worker handler behind the fake instead.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pixelDimensions, type AspectRatio, type ImageSize } from '../../../src/core/image-size.js';
import { solidPng } from '../gemini/fake-images.js';
import { readBody, sendJson } from '../fake-http.js';

/** Colour of the images the fake makes itself. */
export const fakeRunpodImageColour = { r: 30, g: 90, b: 200 } as const;

export type FakeRunpodStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

/** What a job ends with: an output, or a failure as RunPod reports it. */
export type FakeJobOutcome = { output: unknown } | { error: string } | { timedOut: true };

export interface FakeRunpodServerOptions {
  /** Key accepted as `Authorization: Bearer <key>`; others get 401. */
  apiKey: string;
  /** Endpoint id served; others get 404. */
  endpointId: string;
  /** `auto`: a job is IN_QUEUE at its first status check, IN_PROGRESS at its second, done at its third; `manual`: it stays IN_PROGRESS until `finishJob`. Default auto. */
  completion?: 'auto' | 'manual';
  /** Makes a job's outcome from its input; default: solid PNGs in imagefleet's worker format. */
  execute?: (input: Record<string, unknown>, jobId: string) => Promise<FakeJobOutcome>;
  /** Answer every Nth request (of any kind) with 429 and `Retry-After: 1`; 0 = never. */
  rateLimitEvery?: number;
  /** Execution time reported for completed jobs, ms (default 1500). */
  executionTimeMs?: number;
}

export interface FakeRunpodJob {
  id: string;
  input: Record<string, unknown>;
  policy: Record<string, unknown> | undefined;
  status: FakeRunpodStatus;
  statusChecks: number;
  outcome: FakeJobOutcome | undefined;
  /** Answer 404 from now on (TTL or retention passed). */
  expired: boolean;
}

export interface FakeRunpodRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
}

export interface FakeRunpodServer {
  /** `http://127.0.0.1:<port>/v2`: the `RUNPOD_BASE_URL` to use. */
  readonly baseUrl: string;
  readonly jobs: Map<string, FakeRunpodJob>;
  readonly requests: FakeRunpodRequest[];
  /** Job ids `/cancel` was called for. */
  readonly cancels: string[];
  /** `/run` calls accepted, in order (job ids). */
  readonly runs: string[];
  setOptions(options: Partial<FakeRunpodServerOptions>): void;
  /** Completes (runs `execute`) or fails a job now. */
  finishJob(jobId: string, outcome?: FakeJobOutcome): Promise<void>;
  /** Finishes every job still queued or in progress. */
  finishAll(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeRunpodServer(initialOptions: FakeRunpodServerOptions): Promise<FakeRunpodServer> {
  let options: FakeRunpodServerOptions = { ...initialOptions };
  const jobs = new Map<string, FakeRunpodJob>();
  const requests: FakeRunpodRequest[] = [];
  const cancels: string[] = [];
  const runs: string[] = [];
  let requestCount = 0;

  const finish = async (job: FakeRunpodJob, outcome?: FakeJobOutcome): Promise<void> => {
    if (isFinal(job.status)) return;
    job.outcome = outcome ?? (await (options.execute ?? defaultExecute)(job.input, job.id));
    job.status = 'output' in job.outcome ? 'COMPLETED' : 'error' in job.outcome ? 'FAILED' : 'TIMED_OUT';
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const authorization = request.headers.authorization;
    const record = (status: number): void => void requests.push({ method: request.method ?? '', path, authorization, status });
    const body = await readBody(request);
    requestCount += 1;
    if (options.rateLimitEvery && requestCount % options.rateLimitEvery === 0) {
      record(429);
      return sendJson(response, 429, { error: 'rate limit exceeded' }, { 'retry-after': '1' });
    }
    if (authorization !== `Bearer ${options.apiKey}`) {
      record(401);
      return sendJson(response, 401, { error: 'Unauthorized' });
    }
    const match = /^\/v2\/([^/]+)\/(run|status|cancel)(?:\/([^/]+))?$/.exec(path);
    if (!match || match[1] !== options.endpointId) {
      record(404);
      return sendJson(response, 404, { error: 'endpoint not found' });
    }
    const [, , operation, jobId] = match;
    if (operation === 'run' && request.method === 'POST') {
      const parsed = JSON.parse(body || '{}') as { input?: Record<string, unknown>; policy?: Record<string, unknown> };
      if (!parsed.input) {
        record(400);
        return sendJson(response, 400, { error: 'input is required' });
      }
      const job: FakeRunpodJob = { id: randomUUID(), input: parsed.input, policy: parsed.policy, status: 'IN_QUEUE', statusChecks: 0, outcome: undefined, expired: false };
      jobs.set(job.id, job);
      runs.push(job.id);
      record(200);
      return sendJson(response, 200, { id: job.id, status: 'IN_QUEUE' });
    }
    const job = jobId === undefined ? undefined : jobs.get(jobId);
    if (!job || job.expired) {
      record(404);
      return sendJson(response, 404, { error: 'job not found' });
    }
    if (operation === 'status' && request.method === 'GET') {
      // First check: still queued; second: picked up; third: done (auto) or still running (manual).
      job.statusChecks += 1;
      if (job.status === 'IN_QUEUE' && job.statusChecks >= 2) job.status = 'IN_PROGRESS';
      else if (job.status === 'IN_PROGRESS' && (options.completion ?? 'auto') === 'auto') await finish(job);
      // `execute` may expire the job it runs (a result fetched after RunPod's retention).
      if (job.expired) {
        record(404);
        return sendJson(response, 404, { error: 'job not found' });
      }
      record(200);
      return sendJson(response, 200, statusBody(job, options.executionTimeMs ?? 1500));
    }
    if (operation === 'cancel' && request.method === 'POST') {
      cancels.push(job.id);
      if (!isFinal(job.status)) job.status = 'CANCELLED';
      record(200);
      return sendJson(response, 200, { id: job.id, status: job.status });
    }
    record(405);
    sendJson(response, 405, { error: 'method not allowed' });
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: `fake server error: ${String(error)}` });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v2`,
    jobs,
    requests,
    cancels,
    runs,
    setOptions(changes) {
      options = { ...options, ...changes };
    },
    async finishJob(jobId, outcome) {
      const job = jobs.get(jobId);
      if (job) await finish(job, outcome);
    },
    async finishAll() {
      for (const job of jobs.values()) await finish(job);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function isFinal(status: FakeRunpodStatus): boolean {
  return status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED' || status === 'TIMED_OUT';
}

function statusBody(job: FakeRunpodJob, executionTimeMs: number): Record<string, unknown> {
  const base = { id: job.id, status: job.status, delayTime: 120, workerId: 'fake-worker' };
  if (job.status === 'COMPLETED' && job.outcome && 'output' in job.outcome) return { ...base, executionTime: executionTimeMs, output: job.outcome.output };
  if (job.status === 'FAILED' && job.outcome && 'error' in job.outcome) return { ...base, executionTime: executionTimeMs, error: job.outcome.error };
  if (job.status === 'IN_PROGRESS') return { ...base, output: { progress: '1/2' } };
  return base;
}

/** Solid PNGs at the requested size, as imagefleet's worker would return them. */
async function defaultExecute(input: Record<string, unknown>): Promise<FakeJobOutcome> {
  const count = typeof input.n === 'number' ? input.n : 1;
  let dimensions = { width: 1024, height: 1024 };
  try {
    dimensions = pixelDimensions((input.size ?? '1K') as ImageSize, (input.aspectRatio ?? '1:1') as AspectRatio);
  } catch {
    // Unknown size: the default square.
  }
  const png = await solidPng(dimensions.width, dimensions.height, fakeRunpodImageColour);
  const seed = typeof input.seed === 'number' ? input.seed : undefined;
  return {
    output: {
      protocol: 1,
      provider: String(input.provider),
      model: String(input.model),
      images: Array.from({ length: count }, (_, index) => ({
        base64: png.toString('base64'),
        mediaType: 'image/png',
        width: dimensions.width,
        height: dimensions.height,
        ...(seed === undefined ? {} : { seed: (seed + index) % 2 ** 32 }),
      })),
      warnings: [],
      costUsd: 0.01 * count,
    },
  };
}

