/**
 * The `comfyui` provider's options in a job's `settings.providerOptions`, with their defaults. They
 * fill the workflow's placeholders: `sampler` ("euler", ComfyUI's `sampler_name`), `scheduler`
 * ("normal"), `steps` (20), `cfgScale` (7), and `denoise` (unset: the job's strength, else 0.75 for
 * img2img and 1 for inpainting; 1 for txt2img).
 */
import { z } from 'zod';
import { readProviderOptions } from '../stable-diffusion/read-provider-options.js';

const stepsMessage = 'must be an integer from 1 to 150';
const cfgMessage = 'must be a number from 1 to 30 (7 is typical)';
const denoiseMessage = 'must be a number from 0 to 1';

const comfyuiOptionsSchema = z.strictObject({
  sampler: z.string({ error: 'must be a ComfyUI sampler name such as "euler", "dpmpp_2m" or "dpmpp_2m_sde"' }).min(1, { error: 'must not be empty' }).default('euler'),
  scheduler: z.string({ error: 'must be a ComfyUI scheduler name such as "normal", "karras" or "sgm_uniform"' }).min(1, { error: 'must not be empty' }).default('normal'),
  steps: z.number({ error: stepsMessage }).int({ error: stepsMessage }).min(1, { error: stepsMessage }).max(150, { error: stepsMessage }).default(20),
  cfgScale: z.number({ error: cfgMessage }).min(1, { error: cfgMessage }).max(30, { error: cfgMessage }).default(7),
  denoise: z.number({ error: denoiseMessage }).min(0, { error: denoiseMessage }).max(1, { error: denoiseMessage }).optional(),
});

export type ComfyuiOptions = z.output<typeof comfyuiOptionsSchema>;

export const comfyuiOptionNames: readonly string[] = Object.keys(comfyuiOptionsSchema.shape);

/** The options with defaults applied; throws `provider_invalid` saying what is wrong with each. */
export function readComfyuiOptions(providerOptions: Record<string, unknown> | undefined): ComfyuiOptions {
  return readProviderOptions(comfyuiOptionsSchema, providerOptions, 'a ComfyUI', comfyuiOptionNames);
}
