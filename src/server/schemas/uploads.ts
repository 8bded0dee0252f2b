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
    name: z.string().describe('The uploaded file name (display only; the first upload of these bytes names the asset).'),
    sourceSha256: z.string().nullable().describe('SHA-256 (hex) of the file as uploaded, before re-encoding: the hash of the user’s own file. null for assets stored before it was recorded.'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Asset', example: { id: exampleId(0), sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', width: 1024, height: 768, mimeType: 'image/jpeg', byteSize: 183204, name: 'shoe.jpg', sourceSha256: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae', createdAt: '2026-11-21T10:15:30.123Z' } });

/** Hashes asked about at once by `POST /api/uploads/check` (a big folder is checked in several calls). */
export const maxUploadCheckHashes = 1000;

const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256 (64 characters)');

export const uploadCheckBodySchema = z
  .strictObject({
    sha256: z.array(sha256HexSchema).min(1).max(maxUploadCheckHashes).describe(`SHA-256 (hex) of files the client is about to upload, as they are on its disk; at most ${maxUploadCheckHashes}.`),
  })
  .meta({ id: 'UploadCheck' });

export const uploadCheckResponseSchema = z
  .object({
    known: z
      .record(z.string(), assetSchema)
      .describe('For each asked hash the server already holds (as uploaded bytes, or as stored bytes), the stored asset. Hashes not listed must be uploaded.'),
  })
  .meta({ id: 'UploadCheckResult' });

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
  name: z.string().max(255).optional().describe('Only uploads whose file name contains this text (case-insensitive).'),
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
