/**
 * Stores a reference image: re-encoded by src/imaging (checked by its bytes, oversized images
 * refused before decoding, metadata dropped, orientation applied), put under the SHA-256 of the
 * stored bytes (so the same image dedupes), and recorded. The SHA-256 of the bytes as given is kept
 * too (`sourceSha256`): it is the hash a user can compute from their own file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Asset, AssetFileFacts } from '../../core/asset.js';
import { assetBlobKey } from '../../core/blob-keys.js';
import type { AssetRepository, BlobStore } from '../../engine/ports.js';
import { encodeReference, maxReferencePixels } from '../../imaging/reference-image.js';

export { maxReferencePixels };

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
  async importAssetFile(filePath: string, originalName: string, facts: AssetFileFacts = {}): Promise<{ asset: Asset; created: boolean }> {
    return this.importFrom(filePath, originalName, facts);
  }

  /** `facts` spares the work the caller did already: the file's hash (not read again) and its header (not parsed again). */
  private async importFrom(input: Uint8Array | string, originalName: string, facts: AssetFileFacts = {}): Promise<{ asset: Asset; created: boolean }> {
    const name = originalName.slice(0, 255) || 'image';
    const stored = await encodeReference(input, name, this.maxPixels, facts.header);
    const sha256 = createHash('sha256').update(stored.bytes).digest('hex');
    const blobKey = assetBlobKey(sha256, stored.mediaType);
    // Content-addressed: a blob already there holds these very bytes, so it is not rewritten.
    if ((await this.blobs.stat(blobKey)) === undefined) await this.blobs.put(blobKey, stored.bytes, { contentType: stored.mediaType });
    const byteSize = stored.bytes.byteLength;
    freeNow(stored.bytes);
    const sourceSha256 = facts.sourceSha256 ?? (await sha256Of(input));
    const id = randomUUID();
    const asset = await this.assets.upsertAsset({
      id,
      sha256,
      mediaType: stored.mediaType,
      width: stored.width,
      height: stored.height,
      byteSize,
      originalName: name,
      sourceSha256,
      createdAtMs: this.now(),
      blobKey,
    });
    const { blobKey: _blobKey, ...publicAsset } = asset as Asset & { blobKey?: string };
    return { asset: publicAsset, created: asset.id === id };
  }
}

/**
 * Frees the re-encoded image (1–4 MiB, allocated by libvips outside the JavaScript heap) now that
 * it is stored. Left to the garbage collector, it would go only with the collection that finds its
 * handle dead, and that handle outlives the young generation (the blob write waits for fsync), so
 * each upload's image waited for the next full collection: tens of MiB while uploads run (issue
 * 20, decision 0052). Detaching the buffer drops its memory at once; it must be the image's own.
 */
function freeNow(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBufferLike & { transfer?: (newByteLength: number) => ArrayBuffer };
  // transfer is ES2024 (Node 21+); an older runtime just leaves the buffer to the collector.
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer instanceof ArrayBuffer && typeof buffer.transfer === 'function') buffer.transfer(0);
}

/** Hex SHA-256 of bytes, or of a file read in a stream (an upload is never held in memory whole). */
async function sha256Of(input: Uint8Array | string): Promise<string> {
  const hash = createHash('sha256');
  if (typeof input !== 'string') return hash.update(input).digest('hex');
  for await (const chunk of createReadStream(input, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
