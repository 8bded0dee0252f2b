/** Re-encoding images smaller, for requests and previews with a size limit. */
import sharp from 'sharp';

/** The image upright (EXIF orientation applied), within `longSidePixels` on its long side (never enlarged), as a JPEG of `quality` (1–100). */
export function jpegWithin(bytes: Uint8Array, longSidePixels: number, quality: number): Promise<Buffer> {
  return sharp(bytes).rotate().resize({ width: longSidePixels, height: longSidePixels, fit: 'inside', withoutEnlargement: true }).jpeg({ quality }).toBuffer();
}

/** The image within `longSidePixels` on its long side (never enlarged), as a WebP of `quality` (1–100). */
export function webpWithin(bytes: Uint8Array, longSidePixels: number, quality: number): Promise<Buffer> {
  return sharp(bytes).resize({ width: longSidePixels, height: longSidePixels, fit: 'inside', withoutEnlargement: true }).webp({ quality }).toBuffer();
}
