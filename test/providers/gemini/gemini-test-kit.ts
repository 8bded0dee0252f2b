/** Shared set-up of the Gemini provider tests: a provider pointed at the fake, requests, images. */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { GenerateRequest, ProviderImageInput } from '../../../src/providers/contract.js';
import { createGeminiProvider, type GeminiProviderSettings } from '../../../src/providers/gemini/gemini-provider.js';
import type { FakeGeminiServer } from '../../fakes/gemini/fake-gemini-server.js';

/** A key that must never show up in an error message or a log line. */
export const canaryApiKey = 'AIzaCANARY-5e9f7d1c2b-never-print-me';

/** The Gemini provider talking to `fake`, with fast batch timings. */
export function providerFor(fake: FakeGeminiServer, overrides: Partial<GeminiProviderSettings> = {}): ReturnType<typeof createGeminiProvider> {
  return createGeminiProvider({
    apiKey: canaryApiKey,
    baseUrl: fake.baseUrl,
    timeoutMs: 10_000,
    batch: { maxRequestsPerBatch: 100, gatherMs: 30, pollIntervalMs: 10 },
    ...overrides,
  });
}

/** A generate request with sensible defaults. */
export function imageRequest(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    modelId: 'nano-banana-pro',
    prompt: 'a ceramic mug on a marble table',
    references: [],
    n: 1,
    size: '1K',
    aspectRatio: '1:1',
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A PNG reference of the given size and colour (or noise, which does not compress). */
export async function pngReference(width: number, height: number, fill: { r: number; g: number; b: number } | 'noise' | 'gradient' = { r: 90, g: 120, b: 200 }): Promise<ProviderImageInput> {
  const raw = (pixel: (index: number) => number): Promise<Buffer> =>
    sharp(Buffer.from(Array.from({ length: width * height * 3 }, (_, index) => pixel(index))), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
  const bytes =
    fill === 'noise'
      ? await raw((index) => (index * 7919 + (index >> 3) * 104_729) % 251)
      : fill === 'gradient'
        ? // Big as an uncompressed PNG, tiny as a JPEG: the shape of a camera photo sent as PNG.
          await raw((index) => Math.floor(index / 3 / width) % 256)
        : await sharp({ create: { width, height, channels: 3, background: fill } }).png().toBuffer();
  return { bytes: new Uint8Array(bytes), mediaType: 'image/png', sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The average colour of an image, to tell the fake's final (green) image from its thought images (red). */
export async function averageColour(bytes: Uint8Array): Promise<{ r: number; g: number; b: number }> {
  const { channels } = await sharp(bytes).stats();
  return { r: Math.round(channels[0]?.mean ?? 0), g: Math.round(channels[1]?.mean ?? 0), b: Math.round(channels[2]?.mean ?? 0) };
}

/** Runs `work` and returns what it threw (failing the test if it did not throw). */
export async function thrownBy(work: () => Promise<unknown>): Promise<Error & { code?: string; retryAfterMs?: number }> {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string; retryAfterMs?: number };
  }
  throw new Error('expected the call to throw');
}
