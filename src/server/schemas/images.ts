/** The image routes' contract. */
import { z } from 'zod';
import { imageSizes } from '../../core/image-size.js';
import { maxSeed, seedRangeMessage } from '../../core/seeds.js';
import { variationDenoise, variationStrengths } from '../../core/variation-strength.js';
import { idSchema, timestampSchema } from './common.js';
import { planSchema, resultItemSchema } from './jobs.js';

export const imagePatchBodySchema = z
  .strictObject({
    favorite: z.boolean({ error: 'must be true or false' }).optional().describe('Mark or unmark as favourite.'),
    discarded: z.boolean({ error: 'must be true or false' }).optional().describe('Hide from results (restorable).'),
  })
  .refine((body) => body.favorite !== undefined || body.discarded !== undefined, { error: 'give favorite or discarded' })
  .meta({ id: 'ImageChange', minProperties: 1, example: { favorite: true } } as Record<string, unknown>);

export const regenerateBodySchema = z
  .strictObject({
    seed: z
      .number({ error: seedRangeMessage })
      .int({ error: seedRangeMessage })
      .min(0, { error: seedRangeMessage })
      .max(maxSeed, { error: seedRangeMessage })
      .optional()
      .describe('Seed to use (e.g. the image’s own, to reproduce it); default: a new random seed.'),
    count: z
      .literal([1, 2, 4], { error: 'must be 1, 2 or 4' })
      .optional()
      .describe('Images in the new set (1, 2 or 4), with consecutive seeds from seed: variations of the image. Default 1.'),
    strength: z
      .enum(variationStrengths, { error: `must be ${variationStrengths.join(' or ')}` })
      .optional()
      .describe(
        `How far the variations may move from the image. On a model with an img2img strength they are made from the image itself at strength ${variationDenoise.subtle} (subtle) or ${variationDenoise.strong} (strong); on a model with references but no strength, subtle edits the image and strong draws new seeds from the original references; a text-only model draws new seeds either way. The answer's variation.note says which. Default: new seeds from the original references and prompt.`,
      ),
  })
  .meta({ id: 'Regenerate', example: { seed: 1234 } });

export const upscaleBodySchema = z
  .strictObject({
    size: z.enum(imageSizes, { error: `must be one of ${imageSizes.join(', ')}` }).describe('The larger size: 2K or 4K (must be larger than the image’s).'),
  })
  .meta({ id: 'Upscale', example: { size: '2K' } });

export const imageSchema = resultItemSchema;

export const regenerateResponseSchema = z
  .object({
    id: idSchema.describe('The new job.'),
    groupId: idSchema,
    sourceImageId: idSchema,
    seed: z.number().int().nullable().describe('The seed the new image is asked with; null when the model has no seeds.'),
    statusUrl: z.string(),
    plan: planSchema,
    variation: z
      .object({
        strength: z.enum(variationStrengths),
        from: z.enum(['image', 'references']).describe('image: the image is the one reference; references: the source’s own references and prompt.'),
        denoise: z.number().nullable().describe('The img2img strength sent; null when the model takes none.'),
        note: z.string().describe('What was done, for a person.'),
      })
      .optional()
      .describe('Present when a strength was asked: how the variations are made.'),
  })
  .meta({ id: 'RegeneratedJob' });

export const imageMetadataTimestamps = timestampSchema;
