/**
 * The Gemini online lane against the fake server: what the SDK really sends (model path, inline
 * references, image config), how replies are read (thought images skipped, sizes checked, cost),
 * large references shrunk under the inline limit, and cancel / timeout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { finalImageColour } from '../fakes/gemini/fake-images.js';
import { averageColour, canaryApiKey, imageRequest, pngReference, providerFor, thrownBy } from './gemini/gemini-test-kit.js';

describe('Gemini online lane', () => {
  let fake: FakeGeminiServer;
  beforeEach(async () => {
    fake = await startFakeGeminiServer();
  });
  afterEach(() => fake.close());

  it('sends the prompt, the references inline in order, image-only output and the image config to the model path', async () => {
    const first = await pngReference(16, 16, { r: 250, g: 0, b: 0 });
    const second = await pngReference(24, 12, { r: 0, g: 0, b: 250 });
    const result = await providerFor(fake).generate(imageRequest({ references: [first, second], size: '2K', aspectRatio: '16:9', seed: 4_000_000_000 }));

    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1beta/models/gemini-3-pro-image:generateContent']);
    expect(fake.requests[0]?.apiKey).toBe(canaryApiKey);
    const body = fake.generateCalls[0]?.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>; generationConfig: Record<string, unknown> };
    expect(body.contents).toHaveLength(1);
    expect(body.contents[0]?.role).toBe('user');
    expect(body.contents[0]?.parts).toEqual([
      { text: 'a ceramic mug on a marble table' },
      { inlineData: { mimeType: 'image/png', data: Buffer.from(first.bytes).toString('base64') } },
      { inlineData: { mimeType: 'image/png', data: Buffer.from(second.bytes).toString('base64') } },
    ]);
    expect(body.generationConfig).toEqual({
      responseModalities: ['IMAGE'],
      candidateCount: 1,
      imageConfig: { aspectRatio: '16:9', imageSize: '2K' },
      // imagefleet seeds run to 2^32−1; Gemini's is an int32 (same bits).
      seed: 4_000_000_000 - 2 ** 32,
    });
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ mediaType: 'image/png', width: 2736, height: 1536, seed: 4_000_000_000 });
    expect(result.warnings).toEqual([]);
    expect(result.requestId).toMatch(/^fake-/);
  });

  it('sends the size with an uppercase K, 512 as is, and no size to Nano Banana (one fixed size)', async () => {
    const provider = providerFor(fake);
    await provider.generate(imageRequest({ modelId: 'nano-banana-2', size: '512', aspectRatio: '8:1' }));
    await provider.generate(imageRequest({ modelId: 'nano-banana-2', size: '4K', aspectRatio: '1:4' }));
    await provider.generate(imageRequest({ modelId: 'nano-banana', size: '1K', aspectRatio: '3:4' }));
    expect(fake.generateCalls.map((call) => [call.model, call.imageConfig])).toEqual([
      ['gemini-3.1-flash-image', { aspectRatio: '8:1', imageSize: '512' }],
      ['gemini-3.1-flash-image', { aspectRatio: '1:4', imageSize: '4K' }],
      ['gemini-2.5-flash-image', { aspectRatio: '3:4' }],
    ]);
  });

  it('sends a job naming a retired preview id to the current model', async () => {
    await providerFor(fake).generate(imageRequest({ modelId: 'gemini-3-pro-image-preview' }));
    expect(fake.generateCalls[0]?.model).toBe('gemini-3-pro-image');
  });

  it('skips thought images and keeps the final image', async () => {
    fake.queueReplies({ kind: 'thought-images', count: 2 });
    const result = await providerFor(fake).generate(imageRequest());
    expect(result.images).toHaveLength(1);
    expect(await averageColour(result.images[0]!.bytes)).toEqual(finalImageColour);
  });

  it('warns when the returned image differs from the size or ratio asked', async () => {
    fake.queueReplies({ kind: 'image', width: 1024, height: 1024 });
    const result = await providerFor(fake).generate(imageRequest({ size: '4K', aspectRatio: '16:9' }));
    expect(result.images[0]).toMatchObject({ width: 1024, height: 1024 });
    expect(result.warnings).toEqual([
      'aspectRatio: asked for 16:9, Gemini returned 1024×1024 (1.00:1)',
      'size: asked for 4K, Gemini returned 1024×1024',
    ]);
  });

  it('costs an image from the reply’s token usage, or from the price table when the reply has none', async () => {
    const withUsage = await providerFor(fake).generate(imageRequest({ modelId: 'nano-banana', references: [await pngReference(8, 8)] }));
    // 1290 image tokens at $30/M, plus 268 input tokens at $0.30/M.
    expect(withUsage.costUsd).toBeCloseTo(0.03878, 6);
    fake.setOptions({ usageMetadata: false });
    const fromTable = await providerFor(fake).generate(imageRequest({ modelId: 'nano-banana-pro', size: '4K' }));
    expect(fromTable.costUsd).toBe(0.24);
  });

  it('scales references down (as JPEG) when the request would pass the inline limit, and says so', async () => {
    const big = await pngReference(900, 900, 'gradient');
    expect(big.bytes.length).toBeGreaterThan(2_000_000);
    const result = await providerFor(fake, { inlineRequestLimitBytes: 2_000_000 }).generate(imageRequest({ references: [big, big] }));
    const inline = fake.generateCalls[0]?.inlineImages ?? [];
    expect(inline.map((image) => image.mimeType)).toEqual(['image/jpeg', 'image/jpeg']);
    expect(inline.reduce((total, image) => total + Math.ceil(image.byteLength / 3) * 4, 0)).toBeLessThan(2_000_000);
    expect(result.warnings).toEqual(["references: scaled down to at most 3072 px (JPEG) to fit Gemini's 2 MB limit on one request"]);
  });

  it('leaves references alone when they fit', async () => {
    const reference = await pngReference(64, 64, 'noise');
    const result = await providerFor(fake).generate(imageRequest({ references: [reference] }));
    expect(fake.generateCalls[0]?.inlineImages).toEqual([{ mimeType: 'image/png', byteLength: reference.bytes.length }]);
    expect(result.warnings).toEqual([]);
  });

  it('aborts the HTTP call when the task is canceled', async () => {
    fake.queueReplies({ kind: 'hang' });
    const controller = new AbortController();
    const call = providerFor(fake).generate(imageRequest({ signal: controller.signal }));
    await waitUntil(() => fake.generateCalls.length === 1);
    controller.abort('job-canceled');
    const error = await thrownBy(() => call);
    expect(error.code).toBe('canceled');
  });

  it('gives up on a call after the per-attempt timeout, as a transient failure', async () => {
    fake.queueReplies({ kind: 'hang' });
    const error = await thrownBy(() => providerFor(fake, { timeoutMs: 300 }).generate(imageRequest()));
    expect(error.code).toBe('provider_transient');
    expect(error.message).toMatch(/did not answer within 300 ms \(GEMINI_TIMEOUT_MS\)/);
  });

  it('the fake also serves generateContent under /v1/ (the SDK 3.x default)', async () => {
    const response = await fetch(`${fake.baseUrl}/v1/models/gemini-3-pro-image:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'any' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { responseModalities: ['IMAGE'] } }),
    });
    expect(response.status).toBe(200);
    expect(fake.generateCalls[0]?.apiVersion).toBe('v1');
  });
});

async function waitUntil(predicate: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !predicate(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}
