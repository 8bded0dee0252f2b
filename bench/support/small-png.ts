import sharp from 'sharp';

/** Side of the benchmark image, in pixels: big enough to be a real PNG, small enough to cost nothing to make. */
export const smallPngSidePixels = 64;

/**
 * Encodes the fixed image every benchmark provider returns. A gradient rather than a flat colour,
 * so the thumbnail step decodes and re-encodes real pixel data.
 */
export async function encodeSmallPng(sidePixels = smallPngSidePixels): Promise<Uint8Array> {
  const channels = 3;
  const pixels = Buffer.alloc(sidePixels * sidePixels * channels);
  for (let row = 0; row < sidePixels; row += 1) {
    for (let column = 0; column < sidePixels; column += 1) {
      const offset = (row * sidePixels + column) * channels;
      pixels[offset] = (column * 255) / (sidePixels - 1);
      pixels[offset + 1] = (row * 255) / (sidePixels - 1);
      pixels[offset + 2] = 128;
    }
  }
  const png = await sharp(pixels, { raw: { width: sidePixels, height: sidePixels, channels } }).png().toBuffer();
  return new Uint8Array(png);
}
