/**
 * Decoding of the local provider's inputs with sharp: references, the mask, and the cover-fitted
 * first reference that a mask keeps. A bad input becomes a `provider_invalid` error that says
 * which image it was, so the user can fix that file instead of guessing.
 */
import sharp, { type ResizeOptions } from 'sharp';
import type { PixelDimensions } from '../../core/image-size.js';
import { providerError } from '../contract.js';
import type { RasterImage } from './raster-image.js';

/** Background for transparent references: white, as most product shots on transparency expect. */
const transparentBackground = '#ffffff';

/**
 * Decodes a reference to sRGB pixels, honouring EXIF orientation and shrinking it to no more than
 * it can ever need: each side at least `minimumShortSidePixels` (or the original, if smaller).
 * Shrinking early keeps large camera files fast (JPEG shrink-on-load) without losing detail.
 */
export async function decodeReference(bytes: Uint8Array, label: string, minimumShortSidePixels: number): Promise<RasterImage> {
  return decodeRgb(bytes, label, { width: minimumShortSidePixels, height: minimumShortSidePixels, fit: 'outside', withoutEnlargement: true });
}

/**
 * Checks from the header alone that a reference is an image sharp can read, so a bad reference is
 * reported even when no image of the call happens to use it (full decoding is lazy).
 */
export async function probeReference(bytes: Uint8Array, label: string): Promise<void> {
  try {
    const metadata = await sharp(bytes).metadata();
    if (!metadata.width || !metadata.height) throw new Error('no image dimensions');
  } catch (error) {
    throw notAnImage(label, error);
  }
}

/**
 * The first reference cover-fitted (centre crop, Lanczos) to the output size: what the output shows
 * wherever a mask is black.
 */
export async function coverFitReference(bytes: Uint8Array, label: string, output: PixelDimensions): Promise<RasterImage> {
  return decodeRgb(bytes, label, { width: output.width, height: output.height, fit: 'cover' });
}

/** Oriented, flattened onto white, sRGB, resized as asked, 3-channel 8-bit pixels. */
async function decodeRgb(bytes: Uint8Array, label: string, resize: ResizeOptions): Promise<RasterImage> {
  try {
    const { data, info } = await sharp(bytes, { autoOrient: true })
      .flatten({ background: transparentBackground })
      .toColourspace('srgb')
      .resize(resize)
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return checkedRaster(data, info.width, info.height, info.channels, 3, label);
  } catch (error) {
    throw notAnImage(label, error);
  }
}

/**
 * Decodes a mask to one 8-bit channel at the output size (0 = keep, 255 = change). It is
 * cover-fitted like the first reference, so a mask drawn over that reference stays aligned with it
 * whatever its pixel size. Bilinear resampling avoids the ringing of sharper kernels, which would
 * leak faint change into the black area next to an edge.
 */
export async function decodeMask(bytes: Uint8Array, output: PixelDimensions): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(bytes, { autoOrient: true })
      .flatten({ background: '#000000' })
      .greyscale()
      .resize(output.width, output.height, { fit: 'cover', kernel: 'linear' })
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return checkedRaster(data, info.width, info.height, info.channels, 1, 'mask').pixels;
  } catch (error) {
    throw notAnImage('mask', error);
  }
}

function checkedRaster(data: Buffer, width: number, height: number, channels: number, expectedChannels: number, label: string): RasterImage {
  if (channels !== expectedChannels || data.length !== width * height * expectedChannels) {
    throw new Error(`${label} decoded to ${channels} channels, expected ${expectedChannels}`);
  }
  return { pixels: data, width, height };
}

function notAnImage(label: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return providerError('invalid', `${label} is not a decodable image: ${reason}`, { cause: error });
}
