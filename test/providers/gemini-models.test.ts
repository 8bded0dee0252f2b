/**
 * The Gemini model table as users meet it: exact capabilities and prices, friendly names and
 * wire ids both accepted (stored under the friendly name), ids overridable, unknown ids refused
 * with the known list, and what a model cannot do refused when the job is submitted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { findModel } from '../../src/providers/contract.js';
import { createGeminiProvider } from '../../src/providers/gemini/gemini-provider.js';
import { geminiPricesCheckedOn } from '../../src/providers/gemini/models.js';
import { makeTempDir } from '../support/temp-dir.js';
import { thrownBy } from './gemini/gemini-test-kit.js';

const provider = createGeminiProvider({ apiKey: 'test-key', timeoutMs: 1000, batch: { maxRequestsPerBatch: 10, gatherMs: 10, pollIntervalMs: 10 } });

describe('Gemini models', () => {
  it('lists the three Nano Banana models with exact capabilities', () => {
    const standard = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
    expect(provider.models().map((model) => [model.modelId, model.maxReferenceImages, model.sizes, model.aspectRatios])).toEqual([
      ['nano-banana', 3, ['1K'], standard],
      ['nano-banana-pro', 14, ['1K', '2K', '4K'], standard],
      ['nano-banana-2', 14, ['512', '1K', '2K', '4K'], [...standard, '1:4', '4:1', '1:8', '8:1']],
    ]);
    for (const model of provider.models()) {
      expect(model).toMatchObject({
        seedSupport: 'best-effort',
        maxImagesPerCall: 1,
        lanes: ['online', 'batch'],
        supportsMask: false,
        supportsLora: false,
        supportsNegativePrompt: false,
        supportsStrength: false,
      });
    }
  });

  it('prices every size on both lanes, the batch lane at half, from a dated table', () => {
    expect(geminiPricesCheckedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.fromEntries(provider.models().map((model) => [model.modelId, model.pricePerImageUsd]))).toEqual({
      'nano-banana': { '1K': { online: 0.039, batch: 0.0195 } },
      'nano-banana-pro': { '1K': { online: 0.134, batch: 0.067 }, '2K': { online: 0.134, batch: 0.067 }, '4K': { online: 0.24, batch: 0.12 } },
      'nano-banana-2': {
        '512': { online: 0.045, batch: 0.0225 },
        '1K': { online: 0.067, batch: 0.0335 },
        '2K': { online: 0.101, batch: 0.0505 },
        '4K': { online: 0.151, batch: 0.0755 },
      },
    });
  });

  it('finds a model by friendly name, current id or retired preview id', () => {
    expect(findModel(provider, 'nano-banana-pro').modelId).toBe('nano-banana-pro');
    expect(findModel(provider, 'gemini-3-pro-image').modelId).toBe('nano-banana-pro');
    expect(findModel(provider, 'gemini-3-pro-image-preview').modelId).toBe('nano-banana-pro');
    expect(findModel(provider, 'gemini-2.5-flash-image-preview').modelId).toBe('nano-banana');
    expect(findModel(provider, 'gemini-3.1-flash-image-preview').modelId).toBe('nano-banana-2');
  });

  it('refuses an unknown id with the list of known models', () => {
    const error = thrownSync(() => findModel(provider, 'gemini-2.0-flash-preview-image-generation'));
    expect(error.message).toContain('Unknown model "gemini-2.0-flash-preview-image-generation" for provider "gemini"');
    expect(error.message).toContain('nano-banana (also gemini-2.5-flash-image, gemini-2.5-flash-image-preview)');
    expect(error.message).toContain('nano-banana-pro (also gemini-3-pro-image, gemini-3-pro-image-preview)');
  });

  it('uses an id from the environment on the wire and accepts it as a name', () => {
    const renamed = createGeminiProvider({ apiKey: 'k', timeoutMs: 1000, modelIds: { 'nano-banana-2': 'gemini-nano-banana-2.1' }, batch: { maxRequestsPerBatch: 1, gatherMs: 1, pollIntervalMs: 1 } });
    const model = findModel(renamed, 'gemini-nano-banana-2.1');
    expect(model.modelId).toBe('nano-banana-2');
    expect(model.description).toContain('Sent as gemini-nano-banana-2.1.');
    // The built-in id still names the model.
    expect(findModel(renamed, 'gemini-3.1-flash-image').modelId).toBe('nano-banana-2');
  });

  it('fingerprints the key briefly and never returns it', () => {
    expect(provider.credentialFingerprint()).toMatch(/^[0-9a-f]{8}$/);
    expect(provider.credentialFingerprint()).not.toContain('test-key');
  });
});

describe('Gemini jobs at submit', () => {
  let fleet: Fleet;
  let cleanup: () => Promise<void>;
  let assetIds: string[];

  beforeEach(async () => {
    const temp = await makeTempDir();
    fleet = await createFleet(loadConfig({ IMAGEFLEET_DATA_DIR: temp.directory, GEMINI_API_KEY: 'test-key', GEMINI_BASE_URL: 'http://127.0.0.1:9' }));
    cleanup = async () => {
      await fleet.stop();
      await temp.cleanup();
    };
    assetIds = [];
    for (let index = 0; index < 4; index += 1) {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: index * 40, g: 10, b: 10 } } }).png().toBuffer();
      assetIds.push((await fleet.importAsset(new Uint8Array(png), `reference-${index}.png`)).id);
    }
  });
  afterEach(() => cleanup());

  const studio = (model: string, settings: Record<string, unknown>, references = 1) => ({
    mode: 'studio',
    provider: 'gemini',
    model,
    settings,
    items: [{ referenceAssetIds: assetIds.slice(0, references), prompts: [{ text: 'a mug', count: 2 }] }],
  });

  it('registers the provider only with a key, and lists its models in the health report', async () => {
    const health = await fleet.health();
    expect(health.providers.find((entry) => entry.id === 'gemini')?.models).toEqual(['nano-banana', 'nano-banana-pro', 'nano-banana-2']);
  });

  it('stores a job naming a wire or preview id under the friendly name, with the same task keys', async () => {
    const { job } = await fleet.submitJob({ ...studio('gemini-2.5-flash-image-preview', {}), seed: 5 });
    expect(job?.model).toBe('nano-banana');
    expect(job?.estimatedCostUsd).toBeCloseTo(0.078, 9);
    const byName = await fleet.submitJob({ ...studio('nano-banana', {}), seed: 5 }, { dryRun: true });
    const byWireId = await fleet.submitJob({ ...studio('gemini-2.5-flash-image', {}), seed: 5 }, { dryRun: true });
    expect(byWireId.plan.tasks.map((task) => task.key)).toEqual(byName.plan.tasks.map((task) => task.key));
    expect((await fleet.store.jobs.listTasks(job!.id, {})).map((task) => task.key)).toEqual(byName.plan.tasks.map((task) => task.key));
  });

  it.each([
    ['more references than the model takes', () => studio('nano-banana', {}, 4), 'items.0.referenceAssetIds: 4 reference images, but model "nano-banana" accepts at most 3'],
    ['a size the model lacks', () => studio('nano-banana', { size: '2K' }), 'settings.size: size 2K is not offered by model "nano-banana"; allowed: 1K'],
    ['512 on Pro', () => studio('nano-banana-pro', { size: '512' }), 'settings.size: size 512 is not offered by model "nano-banana-pro"; allowed: 1K, 2K, 4K'],
    ['an aspect ratio the model lacks', () => studio('gemini-3-pro-image', { aspectRatio: '1:8' }), 'settings.aspectRatio: aspect ratio 1:8 is not offered by model "nano-banana-pro"; allowed: 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9'],
  ])('refuses %s when the job is submitted, with the allowed values, and writes nothing', async (_what, spec, message) => {
    const error = await thrownBy(() => fleet.submitJob(spec()));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(message);
    expect(await fleet.store.jobs.listJobs({})).toEqual([]);
  });

  it('refuses an unknown model at submit with the known ones', async () => {
    const error = await thrownBy(() => fleet.submitJob(studio('imagen-4', {})));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('Known models: nano-banana (also');
  });

  it('estimates both lanes, the batch lane at half price', async () => {
    const { plan } = await fleet.submitJob({ ...studio('nano-banana-pro', { size: '4K' }), lane: 'batch' }, { dryRun: true });
    expect(plan.estimate.costUsdByLane).toEqual({ online: 0.48, batch: 0.24 });
  });
});

function thrownSync(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}
