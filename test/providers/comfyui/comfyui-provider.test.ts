/**
 * The `comfyui` provider against the fake ComfyUI: one prompt per image with seeds seed, seed+1, …
 * (each image made again alone gives the same bytes), the LoRA chain, uploads for img2img and
 * inpainting, progress over the websocket, re-attaching to queued prompts from a fresh provider
 * (no second `POST /prompt`), cancel, and custom workflow templates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findModel } from '../../../src/providers/contract.js';
import { createComfyuiProvider } from '../../../src/providers/comfyui/comfyui-provider.js';
import { startFakeComfyuiServer, type FakeComfyuiServer } from '../../fakes/comfyui/fake-comfyui-server.js';
import { rejectionOf } from '../../support/thrown-by.js';
import { pngInput } from '../sdwebui/sdwebui-test-kit.js';
import { closeComfyuiProviders, comfyRequest, comfyuiFor, pollUntilDone } from './comfyui-test-kit.js';

describe('comfyui provider', () => {
  let fake: FakeComfyuiServer;
  afterEach(async () => {
    closeComfyuiProviders();
    await fake.close();
  });

  it('offers the first checkpoint as default and every listed one, with exact seeds, LoRA and mask', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    expect(provider.models().map((model) => model.modelId)).toEqual(['default', 'v1-5-pruned-emaonly', 'sd_xl_base_1.0']);
    expect(findModel(provider, 'sdxl/sd_xl_base_1.0.safetensors')).toMatchObject({ modelId: 'sd_xl_base_1.0', seedSupport: 'exact', supportsLora: true, supportsMask: true, maxReferenceImages: 1, maxImagesPerCall: 4, lanes: ['online'] });
    expect(provider.loraNames()).toEqual(['add_detail.safetensors', 'watercolor.safetensors']);
  });

  it('queues one prompt per image with seed, seed+1, …; one image made again alone gives the same bytes', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    const batch = await provider.generate(comfyRequest({ n: 4, seed: 500, size: '1K', aspectRatio: '3:2', negativePrompt: 'text, watermark', modelId: 'sd_xl_base_1.0' }));
    expect(fake.prompts.map((prompt) => prompt.seed)).toEqual([500, 501, 502, 503]);
    expect(new Set(fake.prompts.map((prompt) => prompt.clientId)).size).toBe(1);
    const workflow = fake.prompts[0]!.workflow;
    expect(workflow.checkpoint?.inputs.ckpt_name).toBe('sdxl/sd_xl_base_1.0.safetensors');
    expect(workflow.latent?.inputs).toMatchObject({ width: 1280, height: 832, batch_size: 1 });
    expect(workflow.positive?.inputs.text).toBe('a teapot on a windowsill');
    expect(workflow.negative?.inputs.text).toBe('text, watermark');
    expect(workflow.sampler?.inputs).toMatchObject({ steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1 });
    expect(batch.images.map((image) => [image.seed, image.width, image.height])).toEqual([500, 501, 502, 503].map((seed) => [seed, 1280, 832]));

    const again = await provider.generate(comfyRequest({ n: 1, seed: 502, size: '1K', aspectRatio: '3:2', negativePrompt: 'text, watermark', modelId: 'sd_xl_base_1.0' }));
    expect(fake.prompts).toHaveLength(5);
    expect(Buffer.from(again.images[0]!.bytes).equals(Buffer.from(batch.images[2]!.bytes))).toBe(true);
    expect(Buffer.from(again.images[0]!.bytes).equals(Buffer.from(batch.images[1]!.bytes))).toBe(false);
  });

  it('draws a random first seed when none is given and records it', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    const result = await provider.generate(comfyRequest({ n: 2 }));
    const seeds = fake.prompts.map((prompt) => prompt.seed as number);
    expect(seeds[1]).toBe((seeds[0]! + 1) % 2 ** 32);
    expect(result.images.map((image) => image.seed)).toEqual(seeds);
  });

  it('chains a LoraLoader per LoRA after the checkpoint, and refuses unknown LoRAs with the list', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    await provider.generate(comfyRequest({ n: 2, seed: 1, loras: [{ name: 'add_detail.safetensors', weight: 0.6 }, { name: 'watercolor.safetensors', weight: 1.2 }] }));
    for (const { workflow } of fake.prompts) {
      expect(workflow.imagefleet_lora_0).toEqual({ class_type: 'LoraLoader', inputs: { model: ['checkpoint', 0], clip: ['checkpoint', 1], lora_name: 'add_detail.safetensors', strength_model: 0.6, strength_clip: 0.6 } });
      expect(workflow.imagefleet_lora_1?.inputs).toMatchObject({ model: ['imagefleet_lora_0', 0], clip: ['imagefleet_lora_0', 1], lora_name: 'watercolor.safetensors' });
      expect(workflow.sampler?.inputs.model).toEqual(['imagefleet_lora_1', 0]);
      expect(workflow.positive?.inputs.clip).toEqual(['imagefleet_lora_1', 1]);
      expect(workflow.decode?.inputs.vae).toEqual(['checkpoint', 2]);
    }
    const unknown = await rejectionOf(() => provider.generate(comfyRequest({ loras: [{ name: 'add_detail', weight: 1 }] })));
    expect(unknown.code).toBe('provider_invalid');
    expect(unknown.message).toContain('Known LoRAs: add_detail.safetensors, watercolor.safetensors.');
    expect(fake.prompts).toHaveLength(2);
  });

  it('uploads the reference for img2img with the strength as denoise, and the mask for inpainting', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    const reference = await pngInput(64, 48, { r: 120, g: 60, b: 30 });
    const mask = await pngInput(64, 48, { r: 255, g: 255, b: 255 });
    await provider.generate(comfyRequest({ references: [reference], strength: 0.4, seed: 8 }));
    const img2img = fake.prompts[0]!.workflow;
    const referenceName = img2img.reference?.inputs.image as string;
    expect(fake.uploads.get(referenceName)?.equals(Buffer.from(reference.bytes))).toBe(true);
    expect(img2img.sampler?.inputs).toMatchObject({ denoise: 0.4, latent_image: ['encoded', 0] });
    expect(img2img.latent).toBeUndefined();

    await provider.generate(comfyRequest({ references: [reference], mask, seed: 8, providerOptions: { steps: 12, sampler: 'dpmpp_2m', scheduler: 'karras', cfgScale: 4.5 } }));
    const inpaint = fake.prompts[1]!.workflow;
    expect(fake.uploads.get(inpaint.mask?.inputs.image as string)?.equals(Buffer.from(mask.bytes))).toBe(true);
    expect(inpaint.mask?.inputs.channel).toBe('red');
    expect(inpaint.masked?.class_type).toBe('SetLatentNoiseMask');
    expect(inpaint.sampler?.inputs).toMatchObject({ denoise: 1, latent_image: ['masked', 0], steps: 12, sampler_name: 'dpmpp_2m', scheduler: 'karras', cfg: 4.5 });
    // The same reference is one file, however often it is used.
    expect([...fake.uploads.keys()].filter((name) => name.includes('reference'))).toHaveLength(1);
  });

  it('reports progress from the websocket while the prompts run', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    const fractions: number[] = [];
    fake.hold();
    const call = provider.generate(comfyRequest({ n: 2, seed: 3, onProgress: (fraction) => fractions.push(fraction) }));
    await fake.whenHeld();
    // Image 1 of 2 at step 2 of 4.
    await expect.poll(() => fractions.includes(0.25)).toBe(true);
    fake.release();
    await call;
    expect(fractions.at(-1)).toBe(1);
    expect(fake.sentMessages.filter((message) => message.type === 'progress')).toHaveLength(8);
  });

  it('re-attaches from a fresh provider to prompts queued before a restart, without queueing again', async () => {
    fake = await startFakeComfyuiServer();
    const first = await comfyuiFor(fake);
    fake.hold();
    const handle = await first.submit!(comfyRequest({ n: 2, seed: 40 }));
    expect(handle).toMatch(/^comfyui:prompts\?ids=/);
    await fake.whenHeld();
    first.close();

    const second = createComfyuiProvider({ baseUrl: fake.baseUrl, timeoutMs: 10_000, pollWaitMs: 2_000 });
    const pending = await second.poll!(handle, new AbortController().signal);
    expect(pending.state).toBe('pending');
    fake.release();
    const result = await pollUntilDone(second, handle);
    expect(result.images.map((image) => image.seed)).toEqual([40, 41]);
    expect(fake.prompts).toHaveLength(2);
    expect(fake.requests.filter((request) => request.path === '/prompt')).toHaveLength(2);
  });

  it('cancels by deleting pending prompts and interrupting the running one', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    fake.hold();
    const handle = await provider.submit!(comfyRequest({ n: 3, seed: 1 }));
    await fake.whenHeld();
    await provider.cancel!(handle);
    const [running, ...pending] = fake.prompts.map((prompt) => prompt.promptId);
    expect(fake.deleted).toEqual(pending);
    expect(fake.interrupted).toEqual([running]);
    fake.release();
  });

  it('refuses bad provider options, saying what is wrong and what is allowed', async () => {
    fake = await startFakeComfyuiServer();
    const provider = await comfyuiFor(fake);
    const bad = await rejectionOf(() => provider.generate(comfyRequest({ providerOptions: { steps: 2.5, denoise: 2, cfg_scale: 7 } })));
    expect(bad.code).toBe('provider_invalid');
    expect(bad.message).toContain('providerOptions.steps must be an integer from 1 to 150 (got 2.5)');
    expect(bad.message).toContain('providerOptions.denoise must be a number from 0 to 1 (got 2)');
    expect(bad.message).toContain('providerOptions.cfg_scale: not a ComfyUI option (known: sampler, scheduler, steps, cfgScale, denoise)');
    expect(fake.prompts).toHaveLength(0);
  });
});
