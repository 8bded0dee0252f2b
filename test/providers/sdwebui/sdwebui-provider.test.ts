/**
 * The `sdwebui` provider against the fake AUTOMATIC1111 API: what it sends (seeds, batch, LoRA
 * tags, init images, masks, sampling options, checkpoints), exact seeds (a batch image made again
 * alone gives the same bytes), progress, the catalog, and how bad input is refused.
 */
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/providers/contract.js';
import { loraCatalogOf } from '../../../src/providers/lora-catalog.js';
import { createSdwebuiProvider } from '../../../src/providers/sdwebui/sdwebui-provider.js';
import { fakeRandomSeedStart } from '../../fakes/sdwebui/fake-sdwebui-server.js';
import { rejectionOf } from '../../support/thrown-by.js';
import { fakeSdwebuiPerTest, pngInput, sdRequest, sdwebuiFor } from './sdwebui-test-kit.js';

describe('sdwebui provider', () => {
  const start = fakeSdwebuiPerTest();

  it('offers the loaded checkpoint and every listed one, with exact seeds, LoRA, mask and free images', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    expect(provider.models().map((model) => model.modelId)).toEqual(['default', 'v1-5-pruned-emaonly', 'sd_xl_base_1.0']);
    const model = findModel(provider, 'sd_xl_base_1.0.safetensors [31e35c80fc]');
    expect(model).toMatchObject({ modelId: 'sd_xl_base_1.0', seedSupport: 'exact', supportsLora: true, supportsMask: true, supportsNegativePrompt: true, supportsStrength: true, maxImagesPerCall: 4, lanes: ['online'] });
    expect(model.pricePerImageUsd['1K']?.online).toBe(0);
    expect(loraCatalogOf(provider)?.loraNames()).toEqual(['add_detail', 'film_grain_v2', 'watercolor']);
  });

  it('reads the checkpoints in the background when asked for models before any list was read', async () => {
    const server = await start();
    const provider = createSdwebuiProvider({ baseUrl: server.baseUrl, timeoutMs: 10_000, maxImagesPerCall: 4 });
    expect(provider.models().map((model) => model.modelId)).toEqual(['default']);
    await expect.poll(() => provider.models().map((model) => model.modelId)).toEqual(['default', 'v1-5-pruned-emaonly', 'sd_xl_base_1.0']);
  });

  it('makes a batch of 4 in one call from seed, seed+1, …, and each image again alone from its seed', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const batch = await provider.generate(sdRequest({ n: 4, seed: 500, size: '1K', aspectRatio: '16:9', negativePrompt: 'blurry' }));
    expect(server.generations).toHaveLength(1);
    expect(server.generations[0]?.body).toMatchObject({ seed: 500, batch_size: 4, n_iter: 1, width: 1344, height: 768, negative_prompt: 'blurry', sampler_name: 'Euler a', steps: 20, cfg_scale: 7, subseed_strength: 0 });
    expect(batch.images.map((image) => image.seed)).toEqual([500, 501, 502, 503]);
    expect(batch.images.map((image) => [image.width, image.height, image.mediaType])).toEqual(Array(4).fill([1344, 768, 'image/png']));
    expect(new Set(batch.images.map((image) => Buffer.from(image.bytes).toString('base64'))).size).toBe(4);

    const again = await provider.generate(sdRequest({ n: 1, seed: 502, size: '1K', aspectRatio: '16:9', negativePrompt: 'blurry' }));
    expect(server.generations[1]?.body).toMatchObject({ seed: 502, batch_size: 1 });
    expect(again.images[0]?.seed).toBe(502);
    expect(Buffer.from(again.images[0]!.bytes).equals(Buffer.from(batch.images[2]!.bytes))).toBe(true);
  });

  it('lets the web UI draw a random seed (-1) and records the seeds it reports', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const result = await provider.generate(sdRequest({ n: 2, seed: undefined }));
    expect(server.generations[0]?.body.seed).toBe(-1);
    expect(result.images.map((image) => image.seed)).toEqual([fakeRandomSeedStart, fakeRandomSeedStart + 1]);
  });

  it('splits a batch whose seeds would pass 2^32 − 1 into single calls with wrapped seeds', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const result = await provider.generate(sdRequest({ n: 3, seed: 4_294_967_294 }));
    expect(server.generations.map((generation) => generation.body.seed)).toEqual([4_294_967_294, 4_294_967_295, 0]);
    expect(result.images.map((image) => image.seed)).toEqual([4_294_967_294, 4_294_967_295, 0]);
  });

  it('skips a grid image the web UI puts first', async () => {
    const server = await start({ returnGrid: true });
    const provider = await sdwebuiFor(server);
    const result = await provider.generate(sdRequest({ n: 2, seed: 7 }));
    expect(result.images.map((image) => [image.width, image.seed])).toEqual([
      [512, 7],
      [512, 8],
    ]);
  });

  it('appends LoRAs as <lora:name:weight> to every prompt, and refuses unknown names with the list', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    await provider.generate(sdRequest({ n: 2, seed: 1, loras: [{ name: 'add_detail', weight: 0.8 }, { name: 'watercolor', weight: 1 }] }));
    expect(server.generations[0]?.body.prompt).toBe('a lighthouse at dusk <lora:add_detail:0.8> <lora:watercolor:1>');

    const unknown = await rejectionOf(() => provider.generate(sdRequest({ loras: [{ name: 'add-detail', weight: 1 }] })));
    expect(unknown.code).toBe('provider_invalid');
    expect(unknown.message).toContain('no LoRA "add-detail"');
    expect(unknown.message).toContain('Known LoRAs: add_detail, film_grain_v2, watercolor.');
    const tooStrong = await rejectionOf(() => provider.generate(sdRequest({ loras: [{ name: 'add_detail', weight: 9 }] })));
    expect(tooStrong.message).toContain('loras.0.weight must be a number from -5 to 5 (got 9)');
    expect(server.generations).toHaveLength(1);

    // A LoRA added on the server since the last read is found without a restart.
    server.setLoras(['add_detail', 'film_grain_v2', 'watercolor', 'neon_v3']);
    await provider.generate(sdRequest({ loras: [{ name: 'neon_v3', weight: 0.5 }] }));
    expect(server.generations[1]?.body.prompt).toContain('<lora:neon_v3:0.5>');
    expect(provider.loraNames()).toContain('neon_v3');
  });

  it('sends img2img with the reference as init image and the strength as denoising strength', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const reference = await pngInput(64, 64, { r: 200, g: 40, b: 40 });
    await provider.generate(sdRequest({ references: [reference], strength: 0.35, seed: 3 }));
    const generation = server.generations[0];
    expect(generation?.endpoint).toBe('img2img');
    expect(generation?.body.init_images).toEqual([Buffer.from(reference.bytes).toString('base64')]);
    expect(generation?.body).toMatchObject({ denoising_strength: 0.35, resize_mode: 1, seed: 3 });
    expect(generation?.body.mask).toBeUndefined();
  });

  it('inpaints with the mask and the inpainting options', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const reference = await pngInput(64, 64, { r: 20, g: 90, b: 160 });
    const mask = await pngInput(64, 64, { r: 255, g: 255, b: 255 });
    const result = await provider.generate(
      sdRequest({ references: [reference], mask, seed: 11, providerOptions: { maskBlur: 8, inpaintingFill: 'latent-noise', inpaintOnlyMasked: true, inpaintOnlyMaskedPaddingPx: 48, steps: 30, cfgScale: 5.5, sampler: 'DPM++ 2M', scheduler: 'Karras' } }),
    );
    expect(server.generations[0]?.body).toMatchObject({
      mask: Buffer.from(mask.bytes).toString('base64'),
      mask_blur: 8,
      inpainting_fill: 2,
      inpaint_full_res: true,
      inpaint_full_res_padding: 48,
      inpainting_mask_invert: 0,
      steps: 30,
      cfg_scale: 5.5,
      sampler_name: 'DPM++ 2M',
      scheduler: 'Karras',
    });
    expect(result.images[0]?.seed).toBe(11);
    const maskAlone = await rejectionOf(() => provider.generate(sdRequest({ mask })));
    expect(maskAlone.message).toContain('needs a reference image');
  });

  it('switches to a named checkpoint for the call, and refuses one the web UI does not list', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    await provider.generate(sdRequest({ modelId: 'sd_xl_base_1.0' }));
    expect(server.generations[0]?.body.override_settings).toEqual({ sd_model_checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]' });
    await provider.generate(sdRequest({ modelId: 'default' }));
    expect(server.generations[1]?.body.override_settings).toBeUndefined();
    const unknown = await rejectionOf(() => provider.generate(sdRequest({ modelId: 'dreamshaper_8' })));
    expect(unknown.code).toBe('provider_invalid');
    expect(unknown.message).toContain('Known models: default, v1-5-pruned-emaonly, sd_xl_base_1.0');
  });

  it('refuses bad provider options, saying what is wrong with each and what is allowed', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const bad = await rejectionOf(() => provider.generate(sdRequest({ providerOptions: { steps: 0, cfgScale: '7', inpaintingFill: 'noise', cfg: 7 } })));
    expect(bad.code).toBe('provider_invalid');
    expect(bad.message).toContain('providerOptions.steps must be an integer from 1 to 150 (got 0)');
    expect(bad.message).toContain('providerOptions.cfgScale must be a number from 1 to 30 (7 is typical) (got "7")');
    expect(bad.message).toContain('providerOptions.inpaintingFill must be one of fill, original, latent-noise, latent-nothing (got "noise")');
    expect(bad.message).toContain('providerOptions.cfg: not a Stable Diffusion web UI option (known: sampler, scheduler, steps, cfgScale');
    expect(server.generations).toHaveLength(0);
  });

  it('forwards the web UI progress while the call runs', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    const fractions: number[] = [];
    server.hold(0.5);
    const call = provider.generate(sdRequest({ n: 2, seed: 1, onProgress: (fraction) => fractions.push(fraction) }));
    await server.whenHeld();
    await expect.poll(() => fractions.includes(0.5)).toBe(true);
    server.release();
    await call;
    expect(fractions.at(-1)).toBe(1);
    expect(server.requests.some((request) => request.path === '/sdapi/v1/progress?skip_current_image=true')).toBe(true);
  });
});
