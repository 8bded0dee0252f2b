/** The ZIP download route's contract. */
import { z } from 'zod';
import { exampleId, flagSchema, idListPattern, idSchema } from './common.js';

export const downloadParamsSchema = z.strictObject({ groupId: idSchema });

export const downloadQuerySchema = z.strictObject({
  job: idSchema.optional().describe('Only this job’s images (it must belong to the group).'),
  ids: z
    .string()
    .max(400_000)
    .transform((text) => text.split(',').map((id) => id.trim()).filter((id) => id !== ''))
    .pipe(z.array(idSchema).min(1, { error: 'must list at least one image id' }).max(10_000, { error: 'must list at most 10000 image ids' }))
    .optional()
    .describe('Only these images: ids separated by commas.')
    .meta({ pattern: idListPattern } as Record<string, unknown>),
  favorites: flagSchema.optional().describe('1: only favourites.'),
  template: z.string().max(500).optional().describe('Path template of the files inside the ZIP, e.g. {prompt}/{index}_{seed}; default IMAGEFLEET_DOWNLOAD_TEMPLATE.'),
});

/** `POST /api/download/{groupId}` as JSON: the query's fields, ids also as an array. */
export const downloadBodySchema = z
  .strictObject({
    job: idSchema.optional(),
    ids: z
      .union([z.string().max(1_000_000).meta({ pattern: idListPattern } as Record<string, unknown>), z.array(idSchema).min(1, { error: 'must list at least one image id' }).max(10_000, { error: 'must list at most 10000 image ids' })])
      .optional(),
    favorites: z.enum(['1', '0', 'true', 'false']).optional(),
    template: z.string().max(500).optional(),
  })
  .meta({ id: 'DownloadSelection', description: 'The fields of the GET query, as a body: for selections too long for a URL.', example: { ids: [exampleId(1), exampleId(2)] } });
