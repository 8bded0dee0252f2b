/**
 * The `sdwebui` provider's options in a job's `settings.providerOptions`, with their defaults:
 *
 * - `sampler` ("Euler a"), `scheduler` (unset: the web UI's automatic choice), `steps` (20),
 *   `cfgScale` (7): sampling, as the web UI names them (`GET /sdapi/v1/samplers` lists samplers).
 * - inpainting only: `maskBlur` (4 px), `inpaintingFill` (`original`; or `fill`, `latent-noise`,
 *   `latent-nothing`: what the masked area starts from), `inpaintOnlyMasked` (false: the whole image
 *   is redrawn at its size; true = "only masked", the masked area is redrawn at full resolution and
 *   pasted back) and `inpaintOnlyMaskedPaddingPx` (32).
 */
import { z } from 'zod';
import { readProviderOptions } from '../stable-diffusion/read-provider-options.js';

/** The web UI's `inpainting_fill` numbers, by the names its UI shows. */
export const inpaintingFillCodes = { fill: 0, original: 1, 'latent-noise': 2, 'latent-nothing': 3 } as const;
export type InpaintingFill = keyof typeof inpaintingFillCodes;

const integerIn = (minimum: number, maximum: number, defaultValue: number) =>
  z
    .number({ error: `must be an integer from ${minimum} to ${maximum}` })
    .int({ error: `must be an integer from ${minimum} to ${maximum}` })
    .min(minimum, { error: `must be an integer from ${minimum} to ${maximum}` })
    .max(maximum, { error: `must be an integer from ${minimum} to ${maximum}` })
    .default(defaultValue);

const sdwebuiOptionsSchema = z.strictObject({
  sampler: z.string({ error: 'must be a sampler name such as "Euler a" or "DPM++ 2M" (GET /sdapi/v1/samplers lists them)' }).min(1, { error: 'must not be empty' }).default('Euler a'),
  scheduler: z.string({ error: 'must be a scheduler name such as "Karras" or "Automatic"' }).min(1, { error: 'must not be empty' }).optional(),
  steps: integerIn(1, 150, 20),
  cfgScale: z
    .number({ error: 'must be a number from 1 to 30 (7 is typical)' })
    .min(1, { error: 'must be a number from 1 to 30 (7 is typical)' })
    .max(30, { error: 'must be a number from 1 to 30 (7 is typical)' })
    .default(7),
  maskBlur: integerIn(0, 64, 4),
  inpaintingFill: z
    .enum(Object.keys(inpaintingFillCodes) as [InpaintingFill, ...InpaintingFill[]], { error: `must be one of ${Object.keys(inpaintingFillCodes).join(', ')}` })
    .default('original'),
  inpaintOnlyMasked: z.boolean({ error: 'must be true or false' }).default(false),
  inpaintOnlyMaskedPaddingPx: integerIn(0, 256, 32),
});

export type SdwebuiOptions = z.output<typeof sdwebuiOptionsSchema>;

export const sdwebuiOptionNames: readonly string[] = Object.keys(sdwebuiOptionsSchema.shape);

/** The options with defaults applied; throws `provider_invalid` saying what is wrong with each. */
export function readSdwebuiOptions(providerOptions: Record<string, unknown> | undefined): SdwebuiOptions {
  return readProviderOptions(sdwebuiOptionsSchema, providerOptions, 'a Stable Diffusion web UI', sdwebuiOptionNames);
}
