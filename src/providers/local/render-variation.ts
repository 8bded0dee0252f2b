/**
 * Applies a transform plan's geometry, sharpness and colour operations with one lean sharp pipeline
 * over already-decoded pixels. Grain, vignette and the mask are applied afterwards on the raw
 * pixels (see film-effects.ts, mask-blend.ts), where they can use the seeded generator.
 */
import sharp from 'sharp';
import type { PixelDimensions } from '../../core/image-size.js';
import { colourTransform } from './colour-transform.js';
import type { RasterImage } from './raster-image.js';
import type { TransformPlan } from './transform-plan.js';

/** Plan sigmas are given for a 1024-pixel edge so that a look is the same at every output size. */
const referenceEdgePixels = 1024;

/** Renders the plan's operations on the source, returning exactly `output`-sized sRGB pixels. */
export async function renderVariation(source: RasterImage, plan: TransformPlan, output: PixelDimensions): Promise<RasterImage> {
  const window = cropWindow(source, plan, output);
  let pipeline = sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: 3 } });
  if (plan.rotationQuarterTurns !== 0) pipeline = pipeline.rotate(plan.rotationQuarterTurns * 90);
  pipeline = pipeline.extract(window).resize(output.width, output.height, { fit: 'fill' });
  if (plan.flipVertical) pipeline = pipeline.flip();
  if (plan.flopHorizontal) pipeline = pipeline.flop();

  const sizeScale = Math.max(output.width, output.height) / referenceEdgePixels;
  const blurSigma = plan.blurSigmaAt1024 * sizeScale;
  // sharp rejects sigmas under 0.3; such a faint blur would not be visible anyway.
  if (blurSigma >= 0.3) pipeline = pipeline.blur(blurSigma);
  // A 3×3 unsharp kernel: several times cheaper than sharp's LAB-space sharpen, and enough here.
  if (plan.sharpenAmount > 0) {
    const edge = -plan.sharpenAmount;
    pipeline = pipeline.convolve({ width: 3, height: 3, kernel: [0, edge, 0, edge, 1 + 4 * plan.sharpenAmount, edge, 0, edge, 0] });
  }
  const colour = colourTransform(plan);
  if (colour) pipeline = pipeline.recomb(colour.matrix).linear([1, 1, 1], colour.offsets);

  const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== output.width || info.height !== output.height || info.channels !== 3) {
    throw new Error(`variation render gave ${info.width}x${info.height}x${info.channels}, expected ${output.width}x${output.height}x3`);
  }
  return { pixels: data, width: info.width, height: info.height };
}

/** Pixel region of the rotated source, in the output's aspect ratio, that the plan's zoom and position select. */
export interface CropWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The largest region of the (rotated) source with the output's aspect ratio — the cover-fit window —
 * shrunk by the zoom and placed at the plan's position inside the source.
 */
export function cropWindow(source: { width: number; height: number }, plan: TransformPlan, output: PixelDimensions): CropWindow {
  const sideways = plan.rotationQuarterTurns % 2 === 1;
  const rotatedWidth = sideways ? source.height : source.width;
  const rotatedHeight = sideways ? source.width : source.height;
  const outputAspect = output.width / output.height;
  const coverWidth = Math.min(rotatedWidth, rotatedHeight * outputAspect);
  const coverHeight = coverWidth / outputAspect;
  const width = clampInteger(Math.round(coverWidth / plan.zoom), 1, rotatedWidth);
  const height = clampInteger(Math.round(coverHeight / plan.zoom), 1, rotatedHeight);
  const left = clampInteger(Math.round((rotatedWidth - width) * plan.windowPositionX), 0, rotatedWidth - width);
  const top = clampInteger(Math.round((rotatedHeight - height) * plan.windowPositionY), 0, rotatedHeight - height);
  return { left, top, width, height };
}

function clampInteger(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}
