/**
 * WebP thumbnails of outputs and references, for grids and pickers (DESIGN §7: made once on write).
 */
import sharp from 'sharp';
import { invalidInput } from '../core/errors.js';

/** Thumbnails fit inside this square, in pixels. */
export const thumbnailMaxSidePixels = 384;

/** WebP quality of thumbnails: small files, good enough for a grid. */
export const thumbnailWebpQuality = 75;

/** libwebp effort (0–6, default 4): 2 costs 12–33% less CPU per thumbnail at the same size (measured). */
export const thumbnailWebpEffort = 2;

/**
 * The WebP thumbnail of an image, upright (EXIF orientation applied) and without metadata.
 * Bytes that do not decode are refused with `invalid_input`; `label` names the image in that
 * message (e.g. "task t-1 image 0").
 */
export async function makeThumbnail(bytes: Uint8Array, label: string): Promise<Buffer> {
  try {
    return await sharp(bytes)
      .rotate() // honour EXIF orientation before the metadata is dropped
      .resize(thumbnailMaxSidePixels, thumbnailMaxSidePixels, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: thumbnailWebpQuality, effort: thumbnailWebpEffort })
      .toBuffer();
  } catch (error) {
    throw invalidInput([{ path: 'bytes', message: `the image of ${label} cannot be decoded (${error instanceof Error ? error.message : String(error)})` }], 'Undecodable output image');
  }
}
