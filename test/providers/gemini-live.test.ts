/**
 * Opt-in: one real 1K image from Google's API. Skipped unless GEMINI_LIVE_TEST=1 and
 * GEMINI_API_KEY are set (it costs about $0.04); the skip shows in the test name.
 */
import { describe, expect, it } from 'vitest';
import { createGeminiProvider } from '../../src/providers/gemini/gemini-provider.js';

const apiKey = process.env.GEMINI_API_KEY;
const enabled = process.env.GEMINI_LIVE_TEST === '1' && apiKey !== undefined && apiKey !== '';
const title = enabled ? 'Gemini live API (real key, real cost)' : 'Gemini live API — skipped: set GEMINI_LIVE_TEST=1 and GEMINI_API_KEY to run';

describe.skipIf(!enabled)(title, () => {
  it('makes one real 1K image with Nano Banana', { timeout: 180_000 }, async () => {
    const provider = createGeminiProvider({
      apiKey: apiKey ?? '',
      baseUrl: process.env.GEMINI_BASE_URL,
      timeoutMs: 120_000,
      modelIds: { 'nano-banana': process.env.GEMINI_MODEL_NANO_BANANA },
      batch: { maxRequestsPerBatch: 1, gatherMs: 0, pollIntervalMs: 30_000 },
    });
    const result = await provider.generate({
      modelId: 'nano-banana',
      prompt: 'A small red ceramic mug on a wooden table, soft morning light, product photo',
      references: [],
      n: 1,
      size: '1K',
      aspectRatio: '1:1',
      signal: new AbortController().signal,
    });
    expect(result.images).toHaveLength(1);
    const image = result.images[0]!;
    expect(image.mediaType).toMatch(/^image\//);
    expect(Math.abs(image.width / image.height - 1)).toBeLessThan(0.05);
    expect(image.width * image.height).toBeGreaterThan(700_000);
    expect(result.costUsd).toBeGreaterThan(0);
    console.log(`Gemini live: ${image.width}×${image.height}, $${result.costUsd}, request ${result.requestId ?? 'n/a'}, warnings: ${result.warnings.join('; ') || 'none'}`);
  });
});
