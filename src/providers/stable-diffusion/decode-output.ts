/**
 * Reads what a Stable Diffusion server returned as an image: its real type and pixel size, from
 * its bytes (the servers do not say, and a proxy may have changed it).
 */
import { readImageHeader } from '../../imaging/image-header.js';
import { providerError, type GeneratedImageOutput } from '../contract.js';

const mediaTypeByFormat: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The image as the contract returns it; transient when the bytes are not an image (a truncated reply). */
export async function decodeOutputImage(bytes: Uint8Array, seed: number | undefined, label: string): Promise<GeneratedImageOutput> {
  try {
    const metadata = await readImageHeader(bytes);
    const mediaType = metadata.format === undefined ? undefined : mediaTypeByFormat[metadata.format];
    if (mediaType === undefined || metadata.width === undefined || metadata.height === undefined) throw new Error(`unsupported format ${metadata.format}`);
    return { bytes, mediaType, width: metadata.width, height: metadata.height, seed };
  } catch (error) {
    throw providerError('transient', `${label} is not a readable PNG, JPEG or WebP image (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
}
