/**
 * Solid-colour PNGs at the dimensions a request asks for, made once per (size, colour): the final
 * image is green, thought images red, so a test can tell which one a client kept.
 */
import sharp from 'sharp';
import { pixelDimensions, type AspectRatio, type ImageSize } from '../../../src/core/image-size.js';

export const finalImageColour = { r: 40, g: 180, b: 60 } as const;
export const thoughtImageColour = { r: 200, g: 30, b: 30 } as const;

const cache = new Map<string, Promise<Buffer>>();

/** Pixel dimensions the fake returns for a model and image config (2.5 Flash Image is always 1K). */
export function fakeImageDimensions(model: string, imageConfig: { aspectRatio?: unknown; imageSize?: unknown } | undefined): { width: number; height: number } {
  const size = (model.startsWith('gemini-2.5-flash-image') ? '1K' : (imageConfig?.imageSize ?? '1K')) as ImageSize;
  const ratio = (imageConfig?.aspectRatio ?? '1:1') as AspectRatio;
  try {
    return pixelDimensions(size, ratio);
  } catch {
    return { width: 1024, height: 1024 };
  }
}

/** A PNG of `width`×`height` in one colour. */
export function solidPng(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  const key = `${width}x${height}:${colour.r},${colour.g},${colour.b}`;
  let png = cache.get(key);
  if (!png) {
    png = sharp({ create: { width, height, channels: 3, background: colour } }).png({ compressionLevel: 1 }).toBuffer();
    cache.set(key, png);
  }
  return png;
}
