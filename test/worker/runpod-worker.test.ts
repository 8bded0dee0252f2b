/**
 * The worker image's TypeScript side: `worker/test_input.json` run by the worker service with the
 * Gemini fake behind it; the Python shim's forwarding (plain python3, without RunPod's package);
 * results uploaded to an S3-compatible bucket and fetched back by the client; and the whole path —
 * the `runpod` provider, a fake endpoint that hands each job to the real worker service, the
 * `local` provider inside it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Fleet } from '../../src/fleet/create-fleet.js';
import { readWorkerOutput } from '../../src/providers/runpod/read-worker-output.js';
import type { WorkerJobAnswer } from '../../src/worker/handle-worker-job.js';
import { openRunpodWorker, type RunpodWorker } from '../../src/worker/open-runpod-worker.js';
import { handleGetReference } from '../../src/server/reference-handlers.js';
import { setFleet } from '../../src/server/fleet-holder.js';
import { startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { startFakeRunpodServer, type FakeRunpodServer } from '../fakes/runpod/fake-runpod-server.js';
import { canaryApiKey } from '../providers/gemini/gemini-test-kit.js';
import { canaryRunpodKey, fakeEndpointId, jobFinished, openRunpodFleet, RecordingLogger, studioJob } from '../providers/runpod/runpod-test-kit.js';
import { makeTempDir } from '../support/temp-dir.js';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const testInputPath = path.join(repositoryRoot, 'worker/test_input.json');
const testInput = JSON.parse(readFileSync(testInputPath, 'utf8')) as { input: Record<string, unknown> };

/** Whether `python3` runs here (the shim's forwarding test needs it, not RunPod's package). */
const pythonAvailable = await new Promise<boolean>((resolve) => {
  const child = spawn('python3', ['--version'], { stdio: 'ignore' });
  child.on('error', () => resolve(false));
  child.on('exit', (code) => resolve(code === 0));
});

describe('the RunPod worker', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  /** A fake endpoint whose jobs run on `worker`'s service, as RunPod's runtime would forward them; `afterRun` sees each job id. */
  async function forwardingEndpoint(worker: RunpodWorker, afterRun?: (jobId: string) => void): Promise<FakeRunpodServer> {
    const endpoint = await startFakeRunpodServer({
      apiKey: canaryRunpodKey,
      endpointId: fakeEndpointId,
      execute: async (input, jobId) => {
        const response = await fetch(`${worker.service.url}/jobs`, { method: 'POST', body: JSON.stringify({ id: jobId, input }) });
        const answer = (await response.json()) as WorkerJobAnswer;
        afterRun?.(jobId);
        return 'output' in answer ? { output: answer.output } : { error: JSON.stringify(answer.error) };
      },
    });
    cleanups.push(() => endpoint.close());
    return endpoint;
  }

  async function openWorker(environment: Record<string, string>, logger = new RecordingLogger()): Promise<RunpodWorker> {
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const config = loadConfig({ IMAGEFLEET_DATA_DIR: temp.directory, ...environment });
    const worker = await openRunpodWorker(config, logger, { port: 0 });
    cleanups.push(() => worker.close());
    return worker;
  }

  async function startGemini(): Promise<FakeGeminiServer> {
    const fake = await startFakeGeminiServer({ apiKeys: [canaryApiKey] });
    cleanups.push(() => fake.close());
    return fake;
  }

  async function postJob(worker: RunpodWorker, input: unknown, jobId = 'job-1'): Promise<WorkerJobAnswer> {
    const response = await fetch(`${worker.service.url}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: jobId, input }) });
    expect(response.status).toBe(200);
    return (await response.json()) as WorkerJobAnswer;
  }

  it('runs test_input.json with the Gemini provider and returns the image inline with its seed and cost', async () => {
    const gemini = await startGemini();
    const worker = await openWorker({ GEMINI_API_KEY: canaryApiKey, GEMINI_BASE_URL: gemini.baseUrl });
    const ping = (await (await fetch(`${worker.service.url}/ping`)).json()) as { status: string; concurrency: number; providers: string[] };
    expect(ping).toMatchObject({ status: 'ready', concurrency: 1 });
    expect(ping.providers).toEqual(expect.arrayContaining(['local', 'gemini']));

    const answer = await postJob(worker, testInput.input);
    if (!('output' in answer)) throw new Error(`the worker failed: ${JSON.stringify(answer.error)}`);
    expect(answer.output).toMatchObject({ protocol: 1, provider: 'gemini', model: 'nano-banana-2' });
    expect(answer.output.images).toHaveLength(1);
    const image = answer.output.images[0]!;
    expect(image).toMatchObject({ mediaType: 'image/png', width: 512, height: 512, seed: 42 });
    const decoded = await sharp(Buffer.from(image.base64!, 'base64')).metadata();
    expect([decoded.width, decoded.height]).toEqual([512, 512]);
    expect(answer.output.costUsd).toBeGreaterThan(0);
    // The Gemini fake got the prompt, the seed and the reference inline.
    const calls = gemini.generateCalls.filter((call) => call.source === 'online');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ seed: 42, billed: true });
    expect(calls[0]?.inlineImages).toEqual([{ mimeType: 'image/png', byteLength: expect.any(Number) as number }]);
  });

  it('reports failures with their class: an unknown model is invalid, a blocked prompt is blocked, a bad worker key pauses', async () => {
    const gemini = await startGemini();
    const logger = new RecordingLogger();
    const worker = await openWorker({ GEMINI_API_KEY: canaryApiKey, GEMINI_BASE_URL: gemini.baseUrl }, logger);
    expect(await postJob(worker, { ...testInput.input, model: 'no-such-model' })).toMatchObject({ error: { imagefleetError: { kind: 'invalid' } } });
    expect(await postJob(worker, { ...testInput.input, provider: 'runpod' })).toMatchObject({ error: { imagefleetError: { kind: 'invalid' } } });
    expect(await postJob(worker, { prompt: 'no provider' })).toMatchObject({ error: { imagefleetError: { kind: 'invalid', message: expect.stringContaining('provider') as string } } });
    gemini.queueReplies({ kind: 'prompt-blocked', reason: 'SAFETY' });
    expect(await postJob(worker, testInput.input)).toMatchObject({ error: { imagefleetError: { kind: 'blocked' } } });
    gemini.setOptions({ apiKeys: ['another-key'] });
    const refused = await postJob(worker, testInput.input);
    expect(refused).toMatchObject({ error: { imagefleetError: { kind: 'paused' } } });
    expect(JSON.stringify(refused)).not.toContain(canaryApiKey);
    for (const line of logger.lines) expect(line).not.toContain(canaryApiKey);
  });

  it('refuses a result over the inline limit and names the bucket settings', async () => {
    const worker = await openWorker({ RUNPOD_WORKER_INLINE_MAX_BYTES: '2048' });
    const answer = await postJob(worker, { provider: 'local', model: 'local-transform', prompt: 'noise', size: '1K' });
    expect(answer).toMatchObject({ error: { imagefleetError: { kind: 'invalid', message: expect.stringContaining('BUCKET_ENDPOINT_URL') as string } } });
  });

  it('uploads results to the bucket with SigV4 and returns presigned URLs the client downloads', async () => {
    const bucket = await startFakeBucket();
    cleanups.push(() => bucket.close());
    const worker = await openWorker({
      BUCKET_ENDPOINT_URL: `${bucket.url}/results-bucket`,
      BUCKET_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      BUCKET_SECRET_ACCESS_KEY: 'bucket-secret-never-print',
      BUCKET_REGION: 'auto',
    });
    const answer = await postJob(worker, { provider: 'local', model: 'local-transform', prompt: 'warm', size: '512', n: 2, seed: 5 }, 'job-42');
    if (!('output' in answer)) throw new Error(`the worker failed: ${JSON.stringify(answer.error)}`);
    expect(answer.output.images.map((image) => image.seed)).toEqual([5, 6]);
    // Two images, then the whole output beside them.
    expect(bucket.puts.map((put) => put.path.split('/').at(-1))).toEqual([expect.stringMatching(/\.png$/), expect.stringMatching(/\.png$/), 'output.json']);
    expect(JSON.parse(bucket.puts[2]!.body.toString('utf8'))).toEqual(answer.output);
    for (const put of bucket.puts.slice(0, 2)) {
      expect(put.path).toMatch(/^\/results-bucket\/job-42\/[0-9a-f]{8}\.png$/);
      expect(put.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/auto\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/);
      expect(put.contentType).toBe('image/png');
    }
    for (const image of answer.output.images) {
      const url = new URL(image.url!);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('604800');
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      expect(image.url).not.toContain('bucket-secret-never-print');
    }
    // The client side fetches them back (no RunPod key goes to the bucket).
    const result = await readWorkerOutput(answer.output, 2000, 'job-42', new AbortController().signal, { pricePerSecondUsd: 0.001, downloadTimeoutMs: 10_000 });
    expect(result.images).toHaveLength(2);
    expect(result.images.map((image) => Buffer.from(image.bytes).equals(bucket.puts[result.images.indexOf(image)]!.body))).toEqual([true, true]);
    expect(result.costUsd).toBeCloseTo(0.002, 9);
    expect(bucket.gets.every((get) => get.authorization === undefined)).toBe(true);
  });

  it.skipIf(!pythonAvailable)('forwards a job through the Python shim (plain python3, without the runpod package) and returns what RunPod would get', async () => {
    const gemini = await startGemini();
    const worker = await openWorker({ GEMINI_API_KEY: canaryApiKey, GEMINI_BASE_URL: gemini.baseUrl });
    const port = new URL(worker.service.url).port;
    const completed = JSON.parse(await runShim(['--forward', testInputPath], port)) as { images?: Array<{ seed?: number }>; error?: string };
    expect(completed.images?.map((image) => image.seed)).toEqual([42]);

    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const badInputPath = path.join(temp.directory, 'bad_input.json');
    await writeFile(badInputPath, JSON.stringify({ input: { ...testInput.input, model: 'no-such-model' } }));
    const failed = JSON.parse(await runShim(['--forward', badInputPath], port)) as { error?: string };
    // RunPod marks a handler result with `error` FAILED; the text is the JSON the client reads back.
    expect(JSON.parse(failed.error ?? '{}')).toMatchObject({ imagefleetError: { kind: 'invalid' } });
  });

  it('runs a runpod job end to end: provider → fake endpoint → worker service → local provider', { timeout: 60_000 }, async () => {
    const worker = await openWorker({});
    const endpoint = await forwardingEndpoint(worker);
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const fleet: Fleet = await openRunpodFleet(endpoint, temp.directory, new RecordingLogger());
    cleanups.push(() => fleet.stop());
    const references = [(await fleet.importAsset(new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toBuffer()), 'ref.png')).id];
    const { job } = await fleet.submitJob({ ...studioJob(2), items: [{ referenceAssetIds: references, prompts: [{ text: 'warm vintage', count: 2 }] }] });
    fleet.start();
    await jobFinished(fleet, job!.id);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    const images = await fleet.store.images.listImages({ jobId: job!.id, limit: 10 });
    expect(images.map((image) => [image.width, image.height, image.seed]).sort()).toEqual([
      [512, 512, 100],
      [512, 512, 101],
    ]);
    // The reference went inline with its SHA-256, which the worker checked.
    const sent = endpoint.jobs.get(endpoint.runs[0]!)!.input as { references: Array<{ sha256: string; base64: string }> };
    expect(sent.references).toHaveLength(1);
    expect(sent.references[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('collects a result RunPod already deleted from the output the worker kept in the bucket, without running it again', { timeout: 60_000 }, async () => {
    const bucket = await startFakeBucket();
    cleanups.push(() => bucket.close());
    const bucketEnvironment = { BUCKET_ENDPOINT_URL: `${bucket.url}/results-bucket`, BUCKET_ACCESS_KEY_ID: 'AKIDEXAMPLE', BUCKET_SECRET_ACCESS_KEY: 'bucket-secret-never-print', BUCKET_REGION: 'auto' };
    const worker = await openWorker(bucketEnvironment);
    // The app was away longer than RunPod's 30-minute retention: each job is gone when it asks.
    const endpoint: FakeRunpodServer = await forwardingEndpoint(worker, (jobId) => (endpoint.jobs.get(jobId)!.expired = true));
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const logger = new RecordingLogger();
    const fleet: Fleet = await openRunpodFleet(endpoint, temp.directory, logger, bucketEnvironment);
    cleanups.push(() => fleet.stop());
    const { job } = await fleet.submitJob({ ...studioJob(2), items: [{ referenceAssetIds: [], prompts: [{ text: 'warm vintage', count: 2 }] }] });
    fleet.start();
    await jobFinished(fleet, job!.id);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    // One /run per task: nothing was run (or paid for) twice.
    const tasks = await fleet.store.jobs.listTasks(job!.id, {});
    expect(endpoint.runs).toHaveLength(tasks.length);
    expect((await fleet.store.images.listImages({ jobId: job!.id, limit: 10 })).map((image) => image.seed).sort()).toEqual([100, 101]);
    expect(bucket.gets.filter((get) => get.path.endsWith('/output.json'))).toHaveLength(tasks.length);
    expect(JSON.stringify(logger.lines)).not.toContain('bucket-secret-never-print');
  });

  it('sends a reference too big for /run as a signed link the worker fetches from the app', { timeout: 120_000 }, async () => {
    const worker = await openWorker({});
    const endpoint = await forwardingEndpoint(worker);
    // The app's reference route on a real loopback server (the handler `imagefleet serve` runs).
    const appServer = await serveReferenceRoute();
    cleanups.push(appServer.close);
    const temp = await makeTempDir();
    cleanups.push(temp.cleanup);
    const fleet: Fleet = await openRunpodFleet(endpoint, temp.directory, new RecordingLogger(), { IMAGEFLEET_PUBLIC_URL: appServer.url });
    setFleet(fleet);
    cleanups.push(async () => {
      setFleet(undefined);
      await fleet.stop();
    });
    // Noise does not compress: about 11 MB as PNG, 15 MB as base64 — over RunPod's 10 MB.
    const noise = randomBytes(1900 * 1900 * 3);
    const bytes = await sharp(noise, { raw: { width: 1900, height: 1900, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    expect(bytes.length).toBeGreaterThan(10 * 1024 * 1024);
    const reference = await fleet.importAsset(new Uint8Array(bytes), 'big.png');
    const { job } = await fleet.submitJob({ ...studioJob(1), items: [{ referenceAssetIds: [reference.id], prompts: [{ text: 'warm vintage', count: 1 }] }] });
    fleet.start();
    await jobFinished(fleet, job!.id, 90_000);
    expect((await fleet.store.jobs.getJob(job!.id))?.status).toBe('completed');
    const sent = endpoint.jobs.get(endpoint.runs[0]!)!.input as { references: Array<{ sha256: string; url?: string; base64?: string }> };
    expect(sent.references[0]).toMatchObject({ sha256: reference.sha256, url: expect.stringContaining(`${appServer.url}/api/references/${reference.sha256}?expires=`) as string });
    expect(sent.references[0]?.base64).toBeUndefined();
    expect(appServer.requests).toEqual([{ path: `/api/references/${reference.sha256}`, status: 200 }]);
  });
});

/** `GET /api/references/{sha256}` of the fleet registered with `setFleet`, on a loopback HTTP server. */
async function serveReferenceRoute(): Promise<{ url: string; requests: Array<{ path: string; status: number }>; close: () => Promise<void> }> {
  const requests: Array<{ path: string; status: number }> = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const sha256 = url.pathname.split('/').at(-1) ?? '';
    void handleGetReference(new Request(url), { params: Promise.resolve({ sha256 }) }).then(async (answer) => {
      requests.push({ path: url.pathname, status: answer.status });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Runs `worker/handler.py` with `args` against the service on `port`; resolves with its stdout. */
function runShim(args: string[], port: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(repositoryRoot, 'worker/handler.py'), ...args], {
      env: { ...process.env, RUNPOD_WORKER_PORT: port, IMAGEFLEET_WORKER_READY_TIMEOUT_SECONDS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`handler.py exited ${code}: ${stderr}`))));
  });
}

interface FakeBucket {
  url: string;
  puts: Array<{ path: string; authorization: string | undefined; contentType: string | undefined; body: Buffer }>;
  gets: Array<{ path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

/** An S3-compatible bucket that stores PUTs and serves them to signed GETs (a presigned query or an Authorization header). */
async function startFakeBucket(): Promise<FakeBucket> {
  const objects = new Map<string, Buffer>();
  const puts: FakeBucket['puts'] = [];
  const gets: FakeBucket['gets'] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://bucket');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'PUT') {
        const body = Buffer.concat(chunks);
        puts.push({ path: url.pathname, authorization: request.headers.authorization, contentType: request.headers['content-type'], body });
        objects.set(url.pathname, body);
        response.writeHead(200).end();
        return;
      }
      gets.push({ path: url.pathname, authorization: request.headers.authorization });
      const object = objects.get(url.pathname);
      const signed = url.searchParams.has('X-Amz-Signature') || /^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? '');
      if (request.method !== 'GET' || !signed) {
        response.writeHead(403).end();
        return;
      }
      if (!object) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': url.pathname.endsWith('.json') ? 'application/json' : 'image/png', 'content-length': object.length }).end(object);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, puts, gets, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
