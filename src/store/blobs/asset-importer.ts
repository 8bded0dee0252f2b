import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import type { Asset } from '../../core/asset.js';
import { ImagefleetError } from '../../core/errors.js';
import type { AssetRepository, BlobStore } from '../../engine/ports.js';

/** Decoded images larger than this are refused before decoding (decompression bombs). */
export const maxReferencePixels = 100_000_000;

const acceptedFormats: Record<string, { mediaType: string; encode: (image: Sharp) => Sharp }> = {
  png: { mediaType: 'image/png', encode: (image) => image.png() },
  jpeg: { mediaType: 'image/jpeg', encode: (image) => image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }) },
  webp: { mediaType: 'image/webp', encode: (image) => image.webp({ quality: 95 }) },
  // HEIC/AVIF/GIF/TIFF are stored as PNG: every provider accepts PNG.
  heif: { mediaType: 'image/png', encode: (image) => image.png() },
  gif: { mediaType: 'image/png', encode: (image) => image.png() },
  tiff: { mediaType: 'image/png', encode: (image) => image.png() },
};

/**
 * Stores a reference image: checks it by its bytes (not its name), refuses oversized images
 * before decoding, re-encodes it so metadata (EXIF, GPS) is dropped and the orientation is
 * applied, and dedupes by the SHA-256 of the stored bytes. The SHA-256 of the bytes as given is
 * kept too (`sourceSha256`): it is the hash a user can compute from their own file.
 */
export class AssetImporter {
  private readonly maxPixels: number;

  constructor(
    private readonly assets: AssetRepository,
    private readonly blobs: BlobStore,
    private readonly now: () => number,
    options: { maxPixels?: number } = {},
  ) {
    this.maxPixels = options.maxPixels ?? maxReferencePixels;
  }

  async importAsset(bytes: Uint8Array, originalName: string): Promise<Asset> {
    return (await this.importFrom(bytes, originalName)).asset;
  }

  /**
   * Imports the image in a file (an upload streamed to disk) without reading it into memory whole;
   * `created` is false when the same stored bytes existed already (the existing asset is returned).
   */
  async importAssetFile(filePath: string, originalName: string): Promise<{ asset: Asset; created: boolean }> {
    return this.importFrom(filePath, originalName);
  }

  private async importFrom(input: Uint8Array | string, originalName: string): Promise<{ asset: Asset; created: boolean }> {
    const name = originalName.slice(0, 255) || 'image';
    const limit = this.maxPixels;
    let metadata: Metadata;
    try {
      metadata = await sharp(input, { limitInputPixels: limit }).metadata();
    } catch {
      throw new ImagefleetError('invalid_input', `${name} is not an image imagefleet can read; use PNG, JPEG, WebP, HEIC, GIF or TIFF.`, { issues: [{ path: 'file', message: 'not a readable image' }] });
    }
    const format = metadata.format ? acceptedFormats[metadata.format] : undefined;
    if (!format) {
      throw new ImagefleetError('invalid_input', `${name} is a ${metadata.format ?? 'unknown'} file; use PNG, JPEG, WebP, HEIC, GIF or TIFF.`, { issues: [{ path: 'file', message: 'unsupported image format' }] });
    }
    if ((metadata.width ?? 0) * (metadata.height ?? 0) > limit) {
      throw new ImagefleetError('invalid_input', `${name} has ${metadata.width}×${metadata.height} pixels; the limit is ${limit / 1_000_000} megapixels.`, { issues: [{ path: 'file', message: 'image too large' }] });
    }

    let stored: { data: Buffer; info: OutputInfo };
    try {
      stored = await format.encode(sharp(input, { limitInputPixels: limit, animated: false }).rotate()).toBuffer({ resolveWithObject: true });
    } catch {
      throw new ImagefleetError('invalid_input', `${name} could not be decoded; the file may be truncated or corrupt.`, { issues: [{ path: 'file', message: 'corrupt image' }] });
    }
    const storedBytes = new Uint8Array(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength);
    const sha256 = createHash('sha256').update(storedBytes).digest('hex');
    const blobKey = await this.blobs.putAsset(sha256, storedBytes, format.mediaType);
    const sourceSha256 = await sha256Of(input);
    const id = randomUUID();
    const asset = await this.assets.upsertAsset({
      id,
      sha256,
      mediaType: format.mediaType,
      width: stored.info.width,
      height: stored.info.height,
      byteSize: storedBytes.byteLength,
      originalName: name,
      sourceSha256,
      createdAtMs: this.now(),
      blobKey,
    });
    const { blobKey: _blobKey, ...publicAsset } = asset as Asset & { blobKey?: string };
    return { asset: publicAsset, created: asset.id === id };
  }
}

/** Hex SHA-256 of bytes, or of a file read in a stream (an upload is never held in memory whole). */
async function sha256Of(input: Uint8Array | string): Promise<string> {
  const hash = createHash('sha256');
  if (typeof input !== 'string') return hash.update(input).digest('hex');
  for await (const chunk of createReadStream(input, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
