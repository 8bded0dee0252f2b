/** The upload routes' contract. */
import { z } from 'zod';
import { exampleId, idSchema, pageCursorQuerySchema, pageLimitQuerySchema, timestampSchema } from './common.js';

export const assetSchema = z
  .object({
    id: idSchema,
    sha256: z.string().describe('SHA-256 (hex) of the stored bytes: the image re-encoded without metadata. Equal images give equal ids.'),
    width: z.number().int(),
    height: z.number().int(),
    mimeType: z.string().describe('image/png, image/jpeg or image/webp (AVIF/HEIC are stored as PNG).'),
    byteSize: z.number().int(),
    name: z.string().describe('The uploaded file name (display only).'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Asset', example: { id: exampleId(0), sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', width: 1024, height: 768, mimeType: 'image/jpeg', byteSize: 183204, name: 'shoe.jpg', createdAt: '2026-11-21T10:15:30.123Z' } });

export const zipUploadResponseSchema = z
  .object({
    assets: z.array(assetSchema.extend({ entry: z.string().describe('Path of the entry inside the ZIP.'), created: z.boolean().describe('false when the same image was stored before.') })),
    rejected: z.array(z.object({ entry: z.string(), reason: z.string() })).describe('Entries not stored, with why.'),
  })
  .meta({ id: 'ZipUpload' });

/** The multipart body, for documentation (busboy reads it as a stream). */
export const uploadFormSchema = z.object({ file: z.string().meta({ format: 'binary' }).describe('The file.') });

/** Default and largest page of `GET /api/uploads`. */
export const defaultUploadPageSize = 40;
export const maxUploadPageSize = 200;

export const uploadListQuerySchema = z.strictObject({
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: maxUploadPageSize, defaultValue: defaultUploadPageSize, what: 'Assets' }),
});

export const uploadListItemSchema = assetSchema
  .extend({
    url: z.string().describe('The stored reference image (GET).'),
    thumbUrl: z.string().describe('Its WebP thumbnail, at most 384 px on a side (GET; made on first request).'),
  })
  .meta({ id: 'UploadListItem' });

export const uploadListSchema = z
  .object({
    items: z.array(uploadListItemSchema).describe('Newest first.'),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
  })
  .meta({ id: 'UploadList' });
