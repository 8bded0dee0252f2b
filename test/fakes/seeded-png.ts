/**
 * Deterministic PNGs for the Stable Diffusion fakes: the colour and a bar pattern come from a
 * SHA-256 of everything that should change the picture (seed, prompt, init image, mask, size,
 * checkpoint, LoRAs), so the same inputs give the same bytes and a different seed a different image.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** A `width`×`height` PNG that depends only on `inputs`. */
export async function seededPng(width: number, height: number, inputs: unknown): Promise<Buffer> {
  const digest = createHash('sha256').update(JSON.stringify(inputs)).digest();
  const background = { r: digest[0] ?? 0, g: digest[1] ?? 0, b: digest[2] ?? 0 };
  const barWidth = Math.max(1, Math.floor(width / 8));
  const barLeft = ((digest[3] ?? 0) % 8) * barWidth;
  const bar = await sharp({ create: { width: barWidth, height, channels: 3, background: { r: 255 - background.r, g: 255 - background.g, b: 255 - background.b } } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background } })
    .composite([{ input: bar, left: barLeft, top: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/** Hex SHA-256, to name inputs in `seededPng` without copying their bytes. */
export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
