/**
 * What an image's header says, without decoding its pixels: its format and size. Used to check
 * uploads and references before they are decoded (decompression bombs are refused in
 * milliseconds) and to read what a provider returned.
 */
import sharp from 'sharp';

/** An image's header. */
export interface ImageHeader {
  /** sharp's format name: `png`, `jpeg`, `webp`, `heif`, `gif`, `tiff`, …; undefined when unknown. */
  format: string | undefined;
  /** Width in pixels as stored (before any EXIF rotation); undefined when the header has none. */
  width: number | undefined;
  /** Height in pixels as stored; undefined when the header has none. */
  height: number | undefined;
}

/**
 * Reads the header of an image given as bytes or as a local file path. The pixel limit is not
 * applied here, so callers can report the real size. Rejects (with sharp's error) when the
 * header cannot be read; callers say what that means for them.
 */
export async function readImageHeader(input: Uint8Array | string): Promise<ImageHeader> {
  const metadata = await sharp(input, { limitInputPixels: false }).metadata();
  return { format: metadata.format, width: metadata.width, height: metadata.height };
}

/**
 * Decodes every pixel of an image file, streamed (nothing kept in memory), to find a file whose
 * header is fine but whose data ends early or is corrupt. Rejects when it does not decode.
 */
export async function checkImageDecodes(filePath: string): Promise<void> {
  await sharp(filePath, { limitInputPixels: false }).stats();
}
