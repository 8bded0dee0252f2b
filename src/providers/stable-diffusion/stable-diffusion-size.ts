/**
 * Output sizes for Stable Diffusion servers (AUTOMATIC1111, ComfyUI). Both take any width and
 * height, but the models are trained on buckets whose sides are multiples of 64 (SDXL: 1024×1024,
 * 1344×768, …); other sides waste pixels or crop, so imagefleet rounds to 64.
 */
import { pixelDimensions, type AspectRatio, type ImageSize, type PixelDimensions } from '../../core/image-size.js';

/**
 * Size classes offered. 4K is left out: a 4096-pixel txt2img on Stable Diffusion needs tiling or a
 * hires-fix pass that the plain APIs used here do not run, and exhausts most GPUs' memory.
 */
export const stableDiffusionSizes: readonly ImageSize[] = ['512', '1K', '2K'];

const sideMultiple = 64;

/** Width and height for a size class and aspect ratio: about size² pixels, each side a multiple of 64. */
export function stableDiffusionDimensions(size: ImageSize, aspectRatio: AspectRatio): PixelDimensions {
  const approximate = pixelDimensions(size, aspectRatio);
  return { width: roundToMultiple(approximate.width), height: roundToMultiple(approximate.height) };
}

function roundToMultiple(value: number): number {
  return Math.max(sideMultiple, Math.round(value / sideMultiple) * sideMultiple);
}
