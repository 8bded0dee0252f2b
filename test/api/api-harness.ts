/**
 * Handler-level API tests: a real fleet (SQLite, files, local provider) on a temporary data
 * directory, registered for the handlers exactly as `imagefleet serve` does, and real `Request`
 * objects. No HTTP server and no Next.js: fast, and the handlers are the code the routes run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Logger } from '../../src/core/logger.js';
import type { Clock } from '../../src/engine/ports.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import type { RouteHandler } from '../../src/server/api-route.js';
import { setFleet } from '../../src/server/fleet-holder.js';
import { makeTempDir } from '../support/temp-dir.js';
import { responseProblems } from './openapi-response-check.js';

export const origin = 'http://127.0.0.1:3000';

export interface ApiHarness {
  fleet: Fleet;
  directory: string;
  dataDir: string;
  /** Lines the fleet logged at error level, with their fields. */
  errors: Array<{ fields: Record<string, unknown>; message: string }>;
  close(): Promise<void>;
}

/** Opens a fleet on a fresh data directory and registers it for the handlers. The engine is not started. */
export async function openApiHarness(env: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<ApiHarness> {
  const temp = await makeTempDir('imagefleet-api-');
  const dataDir = path.join(temp.directory, 'data');
  const errors: ApiHarness['errors'] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (fields, message) => errors.push({ fields, message }),
  };
  const fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_SHUTDOWN_GRACE_MS: '1000', ...env }, { cwd: temp.directory }), { logger, ...(options.clock === undefined ? {} : { clock: options.clock }) });
  setFleet(fleet);
  return {
    fleet,
    directory: temp.directory,
    dataDir,
    errors,
    close: async () => {
      setFleet(undefined);
      await fleet.stop();
      await temp.cleanup();
    },
  };
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** A `Request` as Next hands it to a route handler. */
export function apiRequest(pathAndQuery: string, options: RequestOptions = {}): Request {
  const headers = new Headers({ host: '127.0.0.1:3000', ...options.headers });
  let body = options.body;
  if (options.json !== undefined) {
    body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new Request(`${origin}${pathAndQuery}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, duplex: 'half' } as RequestInit);
}

/**
 * Calls a handler with route parameters. Every answer is checked against the OpenAPI document
 * (status, content type, JSON body shape): an undocumented answer fails the test that received it.
 */
export async function call<Params extends Record<string, string>>(handler: RouteHandler<Params>, request: Request, params?: Params): Promise<Response> {
  const response = await handler(request, { params: Promise.resolve((params ?? {}) as Params) });
  expect(await responseProblems(request.method, request.url, response)).toEqual([]);
  return response;
}

/** Reads a JSON answer, checking its status. */
export async function expectJson<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect({ status: response.status, body: text.slice(0, 2000) }).toMatchObject({ status });
  return JSON.parse(text) as T;
}

/** Checks an error answer: status, code, and optionally the paths of its issues. */
export async function expectError(response: Response, status: number, code: string, issuePaths?: string[]): Promise<{ error: { code: string; message: string; details?: { issues?: Array<{ path: string; message: string }> } } }> {
  const body = await expectJson<{ error: { code: string; message: string; details?: { issues?: Array<{ path: string; message: string }> } } }>(response, status);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  if (issuePaths) expect(body.error.details?.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining(issuePaths));
  return body;
}

/** A small distinct PNG (the hue picks the colour). */
export async function pngBytes(hue: number, width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: hue % 256, g: (hue * 7) % 256, b: (hue * 13) % 256 } } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="white"/></svg>`) }])
    .png()
    .toBuffer();
}

/** A multipart upload request with `bytes` in the field `file`. */
export function uploadRequest(pathAndQuery: string, bytes: Uint8Array, fileName: string, options: { field?: string; headers?: Record<string, string> } = {}): Request {
  const form = new FormData();
  form.append(options.field ?? 'file', new Blob([new Uint8Array(bytes)]), fileName);
  return apiRequest(pathAndQuery, { method: 'POST', body: form, headers: options.headers });
}

/** Python 3, for independent ZIP checks. */
export function python(script: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Waits until `check` holds (polling), or fails naming `what`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Uploads `count` distinct references and runs a studio job on them to completion; returns the job and its images. */
export async function completedJob(
  harness: ApiHarness,
  options: { prompts?: string[]; count?: number; groupId?: string; seed?: number } = {},
): Promise<{ jobId: string; groupId: string; images: Awaited<ReturnType<ApiHarness['fleet']['store']['images']['listImages']>> }> {
  const { handleUpload } = await import('../../src/server/upload-handlers.js');
  const { handleSubmitJob } = await import('../../src/server/job-handlers.js');
  const prompts = options.prompts ?? ['a red shoe'];
  const items = [];
  for (const [index, prompt] of prompts.entries()) {
    const asset = (await (await call(handleUpload, uploadRequest('/api/uploads', await pngBytes(30 + index * 40), `ref-${index}.png`))).json()) as { id: string };
    items.push({ referenceIds: [asset.id], prompt, count: options.count ?? 2, ...(options.seed === undefined ? {} : { seed: options.seed + index * 100 }) });
  }
  const response = await call(
    handleSubmitJob,
    apiRequest('/api/jobs/submit', { json: { mode: 'studio', provider: 'local', settings: { size: '512' }, batchSize: 1, ...(options.groupId ? { groupId: options.groupId } : {}), items } }),
  );
  const job = (await expectJson<{ id: string; groupId: string }>(response, 201));
  harness.fleet.start();
  await until(async () => (await harness.fleet.store.jobs.getJob(job.id))?.status === 'completed', `job ${job.id} to complete`);
  return { jobId: job.id, groupId: job.groupId, images: await harness.fleet.store.images.listImages({ jobId: job.id }) };
}
