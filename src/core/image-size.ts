/** Output size classes, as Gemini names them (uppercase K on the wire). */
export const imageSizes = ['512', '1K', '2K', '4K'] as const;
export type ImageSize = (typeof imageSizes)[number];

/** Aspect ratios any provider may support; each provider declares its own subset. */
export const aspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9', '1:4', '4:1', '1:8', '8:1'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

const longSidePixelsBySize: Record<ImageSize, number> = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 };

export interface PixelDimensions {
  width: number;
  height: number;
}

/**
 * Pixel dimensions for a size class and aspect ratio: the image has about as many pixels as a
 * square of the size's edge (1K → ~1024²), in the requested ratio, each side a multiple of 16.
 * Providers with their own exact tables (Gemini) report what they actually returned.
 */
export function pixelDimensions(size: ImageSize, aspectRatio: AspectRatio): PixelDimensions {
  const edge = longSidePixelsBySize[size];
  const [ratioWidth, ratioHeight] = parseAspectRatio(aspectRatio);
  const area = edge * edge;
  const width = Math.sqrt((area * ratioWidth) / ratioHeight);
  const height = area / width;
  return { width: roundTo16(width), height: roundTo16(height) };
}

export function parseAspectRatio(aspectRatio: string): [number, number] {
  const match = /^(\d+):(\d+)$/.exec(aspectRatio);
  if (!match) throw new Error(`aspect ratio "${aspectRatio}" is not W:H`);
  return [Number(match[1]), Number(match[2])];
}

function roundTo16(value: number): number {
  return Math.max(16, Math.round(value / 16) * 16);
}
