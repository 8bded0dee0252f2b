/**
 * Decodes a returned image's header and compares it with what was asked: proxies and SDK versions
 * have silently dropped `imageConfig` (every image 1:1), so a mismatch becomes a warning on the
 * task instead of going unnoticed.
 */
import { readImageHeader } from '../../imaging/image-header.js';
import { parseAspectRatio, type AspectRatio, type ImageSize } from '../../core/image-size.js';
import { providerError } from '../contract.js';

export interface OutputDimensions {
  width: number;
  height: number;
}

/** Edge of a square with the size class's pixel count. */
const edgePixelsBySize: Record<ImageSize, number> = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 };
/** Relative ratio difference still taken as "the ratio asked" (Gemini rounds sides to its own grid). */
const ratioTolerance = 0.04;
/** An image within this factor of the size class's pixel count is "the size asked". */
const areaTolerance = 1.6;

/** Width and height from the image header; a reply that does not decode is worth a retry. */
export async function readOutputDimensions(bytes: Uint8Array): Promise<OutputDimensions> {
  try {
    const metadata = await readImageHeader(bytes);
    if (!metadata.width || !metadata.height) throw new Error('no dimensions');
    return { width: metadata.width, height: metadata.height };
  } catch (error) {
    throw providerError('transient', `Gemini returned an image that does not decode (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** Warnings for an image whose ratio or size class differs from the request; empty when it matches. */
export function outputMismatchWarnings(actual: OutputDimensions, asked: { size: ImageSize; aspectRatio: AspectRatio }): string[] {
  const warnings: string[] = [];
  const [ratioWidth, ratioHeight] = parseAspectRatio(asked.aspectRatio);
  const askedRatio = ratioWidth / ratioHeight;
  const actualRatio = actual.width / actual.height;
  const got = `${actual.width}×${actual.height}`;
  if (Math.abs(actualRatio / askedRatio - 1) > ratioTolerance) {
    warnings.push(`aspectRatio: asked for ${asked.aspectRatio}, Gemini returned ${got} (${actualRatio.toFixed(2)}:1)`);
  }
  const askedArea = edgePixelsBySize[asked.size] ** 2;
  const areaFactor = (actual.width * actual.height) / askedArea;
  if (areaFactor > areaTolerance || areaFactor < 1 / areaTolerance) {
    warnings.push(`size: asked for ${asked.size}, Gemini returned ${got}`);
  }
  return warnings;
}
