/**
 * The JSON body of `POST /sdapi/v1/txt2img` and `/sdapi/v1/img2img`. One call makes `n` images as
 * one batch (`batch_size` = n, `n_iter` = 1) from `seed`; the web UI gives image i the seed
 * seed + i, so each image can be made again alone from its own seed.
 */
import type { LoraSetting } from '../../core/job.js';
import type { PixelDimensions } from '../../core/image-size.js';
import type { GenerateRequest } from '../contract.js';
import { inpaintingFillCodes, type SdwebuiOptions } from './sdwebui-provider-options.js';

export type SdwebuiEndpoint = '/sdapi/v1/txt2img' | '/sdapi/v1/img2img';

export interface SdwebuiCall {
  endpoint: SdwebuiEndpoint;
  body: Record<string, unknown>;
}

export interface SdwebuiCallInput {
  request: GenerateRequest;
  options: SdwebuiOptions;
  dimensions: PixelDimensions;
  /** Images in this call. */
  imageCount: number;
  /** Seed of the first image; -1 lets the web UI draw one. */
  seed: number;
  /** Checkpoint title to switch to for this call; undefined = the loaded one. */
  checkpoint: string | undefined;
}

/** Default img2img denoising strength when the job sets none (the web UI's own default). */
export const defaultDenoisingStrength = 0.75;

export function buildSdwebuiCall(input: SdwebuiCallInput): SdwebuiCall {
  const { request, options, dimensions } = input;
  const body: Record<string, unknown> = {
    prompt: promptWithLoras(request.prompt, request.loras ?? []),
    negative_prompt: request.negativePrompt ?? '',
    seed: input.seed,
    // No variation seeds: they would make an image depend on its batch, not only on its seed.
    subseed: -1,
    subseed_strength: 0,
    sampler_name: options.sampler,
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    steps: options.steps,
    cfg_scale: options.cfgScale,
    width: dimensions.width,
    height: dimensions.height,
    batch_size: input.imageCount,
    n_iter: 1,
    send_images: true,
    save_images: false,
    ...(input.checkpoint === undefined ? {} : { override_settings: { sd_model_checkpoint: input.checkpoint }, override_settings_restore_afterwards: false }),
  };
  const reference = request.references[0];
  if (reference === undefined) return { endpoint: '/sdapi/v1/txt2img', body };

  body.init_images = [toBase64(reference.bytes)];
  body.denoising_strength = request.strength ?? defaultDenoisingStrength;
  // Fit the reference into the output size by cropping (0 = stretch would distort products).
  body.resize_mode = 1;
  if (request.mask) {
    body.mask = toBase64(request.mask.bytes);
    body.mask_blur = options.maskBlur;
    body.inpainting_fill = inpaintingFillCodes[options.inpaintingFill];
    body.inpaint_full_res = options.inpaintOnlyMasked;
    body.inpaint_full_res_padding = options.inpaintOnlyMaskedPaddingPx;
    // White = repaint, as the contract says; 1 would repaint the black area.
    body.inpainting_mask_invert = 0;
  }
  return { endpoint: '/sdapi/v1/img2img', body };
}

/** The prompt with `<lora:name:weight>` appended for each LoRA, the syntax the web UI parses. */
export function promptWithLoras(prompt: string, loras: readonly LoraSetting[]): string {
  if (loras.length === 0) return prompt;
  return `${prompt} ${loras.map((lora) => `<lora:${lora.name}:${lora.weight}>`).join(' ')}`;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
