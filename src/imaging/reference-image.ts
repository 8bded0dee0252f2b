/**
 * Reference re-encoding (DESIGN §8): a reference image is checked by its bytes (not its name),
 * refused when over the pixel limit before it is decoded (decompression bombs), and re-encoded so
 * its metadata (EXIF, GPS) is dropped and its orientation applied. HEIC/AVIF/GIF/TIFF become PNG:
 * every provider accepts PNG.
 */
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { ImagefleetError } from '../core/errors.js';
import type { ImageHeader } from './image-header.js';

/** Decoded images larger than this are refused before decoding (decompression bombs). */
export const maxReferencePixels = 100_000_000;

const acceptedFormats: Record<string, { mediaType: string; encode: (image: Sharp) => Sharp }> = {
  png: { mediaType: 'image/png', encode: (image) => image.png() },
  jpeg: { mediaType: 'image/jpeg', encode: (image) => image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }) },
  webp: { mediaType: 'image/webp', encode: (image) => image.webp({ quality: 95 }) },
  heif: { mediaType: 'image/png', encode: (image) => image.png() },
  gif: { mediaType: 'image/png', encode: (image) => image.png() },
  tiff: { mediaType: 'image/png', encode: (image) => image.png() },
};

/** A reference as it is stored. */
export interface EncodedReference {
  /** The re-encoded bytes. */
  bytes: Uint8Array;
  /** Their media type. */
  mediaType: string;
  /** Upright width in pixels. */
  width: number;
  /** Upright height in pixels. */
  height: number;
}

/**
 * Re-encodes a reference given as bytes or as a local file (an upload streamed to disk, never read
 * into memory whole). `name` is the user's file name, for messages; `maxPixels` the pixel limit;
 * `header` the format and size the caller read from the same input already (not parsed again; the
 * decode still refuses more than `maxPixels`).
 * Refuses what it cannot store with `invalid_input` and a message that says what to use instead.
 */
export async function encodeReference(input: Uint8Array | string, name: string, maxPixels: number, header?: ImageHeader): Promise<EncodedReference> {
  let metadata: ImageHeader;
  try {
    metadata = header ?? (await sharp(input, { limitInputPixels: maxPixels }).metadata());
  } catch {
    throw new ImagefleetError('invalid_input', `${name} is not an image imagefleet can read; use PNG, JPEG, WebP, HEIC, GIF or TIFF.`, { issues: [{ path: 'file', message: 'not a readable image' }] });
  }
  const format = metadata.format ? acceptedFormats[metadata.format] : undefined;
  if (!format) {
    throw new ImagefleetError('invalid_input', `${name} is a ${metadata.format ?? 'unknown'} file; use PNG, JPEG, WebP, HEIC, GIF or TIFF.`, { issues: [{ path: 'file', message: 'unsupported image format' }] });
  }
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > maxPixels) {
    throw new ImagefleetError('invalid_input', `${name} has ${metadata.width}×${metadata.height} pixels; the limit is ${maxPixels / 1_000_000} megapixels.`, { issues: [{ path: 'file', message: 'image too large' }] });
  }
  let stored: { data: Buffer; info: OutputInfo };
  try {
    stored = await format.encode(sharp(input, { limitInputPixels: maxPixels, animated: false }).rotate()).toBuffer({ resolveWithObject: true });
  } catch {
    throw new ImagefleetError('invalid_input', `${name} could not be decoded; the file may be truncated or corrupt.`, { issues: [{ path: 'file', message: 'corrupt image' }] });
  }
  return { bytes: new Uint8Array(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength), mediaType: format.mediaType, width: stored.info.width, height: stored.info.height };
}
