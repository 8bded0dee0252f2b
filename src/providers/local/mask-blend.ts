/**
 * Inpainting for the local provider: mixes the variation into the kept image through the mask.
 * Where the mask is 0 the result is exactly the kept pixel, which is the promise of a mask.
 */
import type { RasterImage } from './raster-image.js';

/**
 * Writes `kept + (variation - kept) * mask / 255` into `variation`, per pixel. `mask` has one byte
 * per pixel (0 = keep, 255 = change); all three images must have the same dimensions.
 */
export function blendThroughMask(variation: RasterImage, kept: RasterImage, mask: Uint8Array): void {
  const pixelCount = variation.width * variation.height;
  if (kept.width !== variation.width || kept.height !== variation.height || mask.length !== pixelCount) {
    throw new Error('mask blend needs images and mask of the same size');
  }
  const changed = variation.pixels;
  const keptPixels = kept.pixels;
  for (let pixel = 0; pixel < pixelCount; pixel += 1) {
    const weight = mask[pixel] ?? 0;
    const offset = pixel * 3;
    if (weight === 0) {
      changed[offset] = keptPixels[offset] ?? 0;
      changed[offset + 1] = keptPixels[offset + 1] ?? 0;
      changed[offset + 2] = keptPixels[offset + 2] ?? 0;
    } else if (weight !== 255) {
      const keptWeight = 255 - weight;
      for (let channel = offset; channel < offset + 3; channel += 1) {
        changed[channel] = Math.round(((keptPixels[channel] ?? 0) * keptWeight + (changed[channel] ?? 0) * weight) / 255);
      }
    }
  }
}
