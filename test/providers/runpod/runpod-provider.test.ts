/**
 * The `runpod` provider's parts without the engine: the /run payload limit (refused before anything
 * is sent), HTTP errors and worker errors onto the engine's classes, handles, and the models offered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isImagefleetError } from '../../../src/core/errors.js';
import { mapRunpodHttpError } from '../../../src/providers/runpod/map-runpod-http-error.js';
import { readWorkerError } from '../../../src/providers/runpod/read-worker-error.js';
import { createRunpodProvider, type RunpodProviderSettings } from '../../../src/providers/runpod/runpod-provider.js';
import { formatRunpodHandle, parseRunpodHandle } from '../../../src/providers/runpod/runpod-handle.js';
import { startFakeRunpodServer, type FakeRunpodServer } from '../../fakes/runpod/fake-runpod-server.js';
import { imageRequest, pngReference } from '../gemini/gemini-test-kit.js';
import { thrownBy } from '../../support/thrown-by.js';
import { canaryRunpodKey, fakeEndpointId } from './runpod-test-kit.js';

describe('the runpod provider', () => {
  let fake: FakeRunpodServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function provider(overrides: Partial<RunpodProviderSettings> = {}) {
    fake = await startFakeRunpodServer({ apiKey: canaryRunpodKey, endpointId: fakeEndpointId });
    return createRunpodProvider({
      apiKey: canaryRunpodKey,
      endpointId: fakeEndpointId,
      baseUrl: fake.baseUrl,
      workerProvider: 'gemini',
      executionTimeoutMs: 600_000,
      ttlMs: 86_400_000,
      pricePerSecondUsd: 0.0002,
      ...overrides,
    });
  }

  it('refuses a request over the /run payload limit before sending anything, saying why', async () => {
    const runpod = await provider({ requestLimitBytes: 64 * 1024 });
    const request = imageRequest({ modelId: 'nano-banana-2', references: [await pngReference(200, 200, 'noise')] });
    const error = await runpod.submit!(request).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isImagefleetError(error) && error.code).toBe('provider_invalid');
    expect((error as Error).message).toMatch(/over RunPod's .* limit on \/run/);
    expect((error as Error).message).toMatch(/set IMAGEFLEET_PUBLIC_URL/);
    expect(fake!.runs).toHaveLength(0);
  });

  it('sends references as signed links when they make /run too big and this server has a public address, inline otherwise', async () => {
    const links: Array<[string, number]> = [];
    const runpod = await provider({
      requestLimitBytes: 64 * 1024,
      ttlMs: 3_600_000,
      imageLink: (sha256, ttlMs) => {
        links.push([sha256, ttlMs]);
        return `https://imagefleet.example.com/api/references/${sha256}?expires=1&signature=s`;
      },
    });
    const big = await pngReference(200, 200, 'noise');
    const small = await pngReference(8, 8, { r: 1, g: 2, b: 3 });
    await runpod.submit!(imageRequest({ modelId: 'nano-banana-2', references: [big, small] }));
    const input = fake!.jobs.get(fake!.runs[0]!)?.input as { references: Array<Record<string, unknown>> };
    expect(input.references).toEqual([
      { url: `https://imagefleet.example.com/api/references/${big.sha256}?expires=1&signature=s`, mediaType: 'image/png', sha256: big.sha256 },
      { url: `https://imagefleet.example.com/api/references/${small.sha256}?expires=1&signature=s`, mediaType: 'image/png', sha256: small.sha256 },
    ]);
    // A link lives as long as the job may wait in RunPod's queue.
    expect(links.map(([, ttlMs]) => ttlMs)).toEqual([3_600_000, 3_600_000]);

    await runpod.submit!(imageRequest({ modelId: 'nano-banana-2', references: [small] }));
    const inline = fake!.jobs.get(fake!.runs[1]!)?.input as { references: Array<Record<string, unknown>> };
    expect(inline.references[0]).toMatchObject({ base64: expect.any(String) as string, sha256: small.sha256 });
  });

  it('submits under the job\'s friendly model name and returns a handle naming the endpoint', async () => {
    const runpod = await provider();
    const handle = await runpod.submit!(imageRequest({ modelId: 'gemini-3.1-flash-image', size: '512', seed: 9, taskKey: 'task-key-1' }));
    expect(parseRunpodHandle(handle)).toEqual({ endpointId: fakeEndpointId, jobId: fake!.runs[0] });
    expect(fake!.jobs.get(fake!.runs[0]!)?.input).toMatchObject({ provider: 'gemini', model: 'nano-banana-2', seed: 9, size: '512', taskKey: 'task-key-1' });
  });

  it('generates in one call (submit, then status checks until done)', async () => {
    const runpod = await provider();
    const result = await runpod.generate(imageRequest({ modelId: 'nano-banana-2', size: '512', n: 1, seed: 3 }));
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ width: 512, height: 512, seed: 3, mediaType: 'image/png' });
    expect(result.costUsd).toBeCloseTo(0.01 + 1.5 * 0.0002, 9);
  });

  it('offers the worker provider\'s models, on the online lane, with RunPod compute in the price', async () => {
    const runpod = await provider({ modelIds: ['nano-banana-2'] });
    const models = runpod.models();
    expect(models.map((model) => model.modelId)).toEqual(['nano-banana-2']);
    expect(models[0]?.lanes).toEqual(['online']);
    // $0.045 at 512 plus ~15 s at $0.0002/s.
    expect(models[0]?.pricePerImageUsd['512']?.online).toBeCloseTo(0.045 + 15 * 0.0002, 6);
    expect(thrownBy(() => createRunpodProvider({ ...settingsOf(), workerProvider: 'dall-e' }))).toMatchObject({ code: 'config_invalid' });
    expect(thrownBy(() => createRunpodProvider({ ...settingsOf(), workerProvider: 'local', modelIds: ['nano-banana'] }))).toMatchObject({ code: 'config_invalid' });
  });

  it('offers a Stable Diffusion server inside the worker as its loaded checkpoint, with exact seeds, LoRA and masks', () => {
    for (const workerProvider of ['sdwebui', 'comfyui']) {
      const models = createRunpodProvider({ ...settingsOf(), workerProvider }).models();
      expect(models.map((model) => model.modelId)).toEqual(['default']);
      expect(models[0]).toMatchObject({ seedSupport: 'exact', supportsLora: true, supportsMask: true, supportsStrength: true, lanes: ['online'] });
    }
  });
});

function settingsOf(): RunpodProviderSettings {
  return { apiKey: 'k', endpointId: 'e', baseUrl: 'http://127.0.0.1:9/v2', workerProvider: 'gemini', executionTimeoutMs: 600_000, ttlMs: 86_400_000, pricePerSecondUsd: 0 };
}

describe('RunPod errors', () => {
  it.each([
    [401, 'run', 'provider_paused', /check RUNPOD_API_KEY/],
    [403, 'status', 'provider_paused', /check RUNPOD_API_KEY/],
    [404, 'run', 'provider_paused', /no endpoint "ep".*check RUNPOD_ENDPOINT_ID/],
    [429, 'run', 'provider_rate_limited', /rate limit/],
    [400, 'run', 'provider_invalid', /HTTP 400.*RunPod said: input is required/],
    [413, 'run', 'provider_invalid', /10 MB/],
    [500, 'status', 'provider_transient', /HTTP 500/],
    [503, 'run', 'provider_transient', /HTTP 503/],
  ] as const)('HTTP %i on /%s is %s', (status, operation, code, message) => {
    const error = mapRunpodHttpError(status, JSON.stringify({ error: 'input is required' }), null, operation, 'ep');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('waits what Retry-After says on a 429, or 5 s', () => {
    expect(mapRunpodHttpError(429, '', '3', 'run', 'ep').retryAfterMs).toBe(3000);
    expect(mapRunpodHttpError(429, '', null, 'run', 'ep').retryAfterMs).toBe(5000);
  });

  it('reads the worker\'s error classes, the Python SDK\'s exceptions and plain text', () => {
    expect(readWorkerError(JSON.stringify({ imagefleetError: { kind: 'blocked', message: 'SAFETY' } }))).toMatchObject({ code: 'provider_blocked', message: 'Worker: SAFETY' });
    expect(readWorkerError(JSON.stringify({ imagefleetError: { kind: 'rate_limited', message: 'quota', retryAfterMs: 7000 } }))).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 7000 });
    // A worker-side pause (its own key) lifts after a while: the app's key changing would never lift it.
    expect(readWorkerError(JSON.stringify({ imagefleetError: { kind: 'paused', message: 'GEMINI_API_KEY refused' } }))).toMatchObject({ code: 'provider_paused', retryAfterMs: 600_000 });
    expect(readWorkerError(JSON.stringify({ error_type: 'ConnectionRefusedError', error_message: 'service down', error_traceback: '…' }))).toMatchObject({
      code: 'provider_transient',
      message: 'The RunPod worker failed: service down',
    });
    expect(readWorkerError('out of memory')).toMatchObject({ code: 'provider_transient', message: 'The RunPod job failed: out of memory.' });
  });

  it('round-trips handles and refuses others', () => {
    expect(parseRunpodHandle(formatRunpodHandle({ endpointId: 'ep-1', jobId: 'sync-79164ff4-u1' }))).toEqual({ endpointId: 'ep-1', jobId: 'sync-79164ff4-u1' });
    expect(thrownBy(() => parseRunpodHandle('batches/123?key=x'))).toMatchObject({ code: 'provider_invalid' });
  });
});
