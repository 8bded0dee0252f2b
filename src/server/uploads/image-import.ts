/**
 * Turns a received upload into a stored reference image: the header is read (no decoding) to
 * check that the format matches the sniffed bytes and that the pixel count is under the limit —
 * so decompression bombs are refused in milliseconds — then the fleet's importer decodes,
 * re-encodes without metadata and stores it, deduplicated by SHA-256. At most a few imports run at
 * once (decoding is CPU- and memory-heavy); the rest wait with their bytes on disk.
 */
import type { Asset } from '../../core/asset.js';
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { importUpload } from '../../operations/import-upload.js';
import { readImageHeader, type ImageHeader } from '../../imaging/image-header.js';
import { serverState } from '../server-state.js';
import { acceptedImageTypes, typeName, type SniffedType } from './sniff-type.js';

/** sharp's name of each accepted sniffed type. */
const sharpFormats: Partial<Record<SniffedType, string[]>> = {
  png: ['png'],
  jpeg: ['jpeg'],
  webp: ['webp'],
  avif: ['heif', 'avif'],
  heic: ['heif'],
};

/** The 415 for a file whose first bytes are not an accepted image type (undefined = accepted). */
export function imageTypeRefusal(type: SniffedType | undefined, what = 'The file'): ImagefleetError | undefined {
  if (type !== undefined && acceptedImageTypes.includes(type)) return undefined;
  const found = type === undefined ? 'is not an image (judged by its bytes, not its name)' : `is a ${typeName(type)} file`;
  return new ImagefleetError('unsupported_media_type', `${what} ${found}; upload PNG, JPEG, WebP or AVIF images.`);
}

/** Checks the header of an upload and imports it. */
export async function importUploadedImage(fleet: Fleet, file: { path: string; fileName: string; type: SniffedType | undefined; sha256?: string }): Promise<{ asset: Asset; created: boolean }> {
  const refusal = imageTypeRefusal(file.type, file.fileName);
  if (refusal) throw refusal;
  const maxPixels = fleet.config.api.uploadMaxPixels;
  let metadata: ImageHeader;
  try {
    // The header only: limitInputPixels is not enforced here, so the check below reports the size.
    metadata = await readImageHeader(file.path);
  } catch {
    if (file.type === 'heic') throw new ImagefleetError('unsupported_media_type', `${file.fileName} is HEIC, which this server's image library cannot decode; convert it to JPEG or PNG.`);
    throw new ImagefleetError('unprocessable', `${file.fileName} looks like ${typeName(file.type ?? 'png')} but its header cannot be read; the file may be truncated or corrupt.`);
  }
  const expected = sharpFormats[file.type ?? 'png'] ?? [];
  if (metadata.format === undefined || !expected.includes(metadata.format)) {
    throw new ImagefleetError('unsupported_media_type', `${file.fileName} starts like ${typeName(file.type ?? 'png')} but decodes as ${metadata.format ?? 'nothing known'}; upload a plain PNG, JPEG, WebP or AVIF image.`);
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > maxPixels) {
    throw new ImagefleetError(
      'unprocessable',
      `${file.fileName} has ${width}×${height} pixels (${megapixels(width * height)} megapixels); the limit is ${megapixels(maxPixels)} megapixels (IMAGEFLEET_UPLOAD_MAX_PIXELS). Nothing was stored.`,
    );
  }
  try {
    // The header checked here and the hash taken while receiving are handed on, not worked out again.
    const facts = { header: metadata, ...(file.sha256 === undefined ? {} : { sourceSha256: file.sha256 }) };
    return await serverState(fleet).imports.run(() => importUpload({ filePath: file.path, fileName: file.fileName, facts }, fleet));
  } catch (error) {
    // The importer speaks for every shell with invalid_input; over HTTP the kinds have their own statuses.
    if (isImagefleetError(error) && error.code === 'invalid_input') {
      const kind = error.issues[0]?.message;
      if (kind === 'not a readable image' || kind === 'unsupported image format') throw new ImagefleetError('unsupported_media_type', error.message, { issues: error.issues });
      if (kind === 'corrupt image' || kind === 'image too large') throw new ImagefleetError('unprocessable', error.message, { issues: error.issues });
    }
    throw error;
  }
}

function megapixels(pixels: number): string {
  return (Math.round(pixels / 100_000) / 10).toLocaleString('en-US');
}
