import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeThumbnail, thumbnailMaxSidePixels } from '../../src/imaging/thumbnail.js';

function pngOf(width: number, height: number, red: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: red, g: 40, b: 90 } } }).png().toBuffer();
}

describe('makeThumbnail', () => {
  it('makes a WebP that fits inside 384 px, keeping the aspect ratio', async () => {
    const bytes = await pngOf(1000, 600, 10);
    const thumbnail = await makeThumbnail(bytes, 'test image');
    expect(thumbnail.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(thumbnail.subarray(8, 12).toString('ascii')).toBe('WEBP');
    const metadata = await sharp(thumbnail).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', thumbnailMaxSidePixels, 230]);
    expect(thumbnail.byteLength).toBeLessThan(bytes.byteLength);
  });

  it('does not enlarge a small image', async () => {
    const metadata = await sharp(await makeThumbnail(await pngOf(100, 50, 0), 'small')).metadata();
    expect([metadata.width, metadata.height]).toEqual([100, 50]);
  });

  it('applies the EXIF orientation', async () => {
    // 60×20 pixels stored, orientation 6 (rotate 90° clockwise): shown 20×60.
    const rotated = await sharp({ create: { width: 60, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const metadata = await sharp(await makeThumbnail(rotated, 'rotated')).metadata();
    expect([metadata.width, metadata.height]).toEqual([20, 60]);
  });

  it('refuses bytes that do not decode, naming the image', async () => {
    const error = (await makeThumbnail(Buffer.from('<html>not an image</html>'), 'task t-1 image 0').then(
      () => ({}),
      (thrown: unknown) => thrown,
    )) as { code?: string; issues?: Array<{ message: string }> };
    expect(error.code).toBe('invalid_input');
    expect(error.issues?.[0]?.message).toContain('task t-1 image 0');
  });
});
