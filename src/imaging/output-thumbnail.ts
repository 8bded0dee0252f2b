/**
 * The thumbnail of an output image as readers get it. Thumbnails are derived data written without
 * fsync (decision 0048), so after a power cut one may be missing, empty or torn while its image
 * row and output survive: every reader goes through `ensureOutputThumbnail`, which rebuilds such a
 * thumbnail from the durable output before anyone sees it.
 */
import sharp from 'sharp';
import { ImagefleetError } from '../core/errors.js';
import type { BlobStore } from '../engine/ports.js';
import { bootStartedAtMs } from '../platform/boot-time.js';
import { makeThumbnail } from './thumbnail.js';

/** The keys of one output image (a `GeneratedImage` has them). */
export interface OutputThumbnailSource {
  /** Blob key of the durable output image. */
  fileKey: string;
  /** Blob key of its WebP thumbnail. */
  thumbnailKey: string;
}

/**
 * Thumbnail keys known intact in this process, per blob store: written by this process, or read
 * and decoded once. Only a power cut tears an unsynced file, and that ends the process too, so a
 * key checked once stays good for the process's life.
 */
const intactThumbnails = new WeakMap<BlobStore, Set<string>>();

/** A bound on remembered keys (~100 bytes each); past it the memory starts over, costing a decode per key again. */
const maxRememberedThumbnails = 200_000;

/** Records a thumbnail this process just wrote, so readers skip the decode check. */
export function rememberIntactThumbnail(blobs: BlobStore, thumbnailKey: string): void {
  let keys = intactThumbnails.get(blobs);
  if (!keys) {
    keys = new Set();
    intactThumbnails.set(blobs, keys);
  }
  if (keys.size >= maxRememberedThumbnails) keys.clear();
  keys.add(thumbnailKey);
}

/**
 * Returns the thumbnail's key once the blob behind it is a whole WebP, rebuilding it from the
 * output first when it is missing, empty, cut short or does not decode. `not_found` when the
 * output itself is gone (nothing to rebuild from).
 *
 * Cost per read: one `stat`. A non-empty thumbnail in a store whose writes are all durable (S3),
 * or written since the OS booted, cannot be torn
 * (only a power cut or OS crash tears an unsynced file, and that ends the boot), nor can one this
 * process already checked; an older one is read and decoded in full, once per process.
 */
export async function ensureOutputThumbnail(blobs: BlobStore, image: OutputThumbnailSource): Promise<string> {
  const stat = await blobs.stat(image.thumbnailKey);
  if (stat !== undefined && stat.byteSize > 0) {
    if (blobs.tearsUnsyncedWrites !== true || stat.modifiedAtMs >= bootStartedAtMs() || intactThumbnails.get(blobs)?.has(image.thumbnailKey)) return image.thumbnailKey;
    const current = await readIfPresent(blobs, image.thumbnailKey);
    if (current !== undefined && (await isWholeWebp(current))) {
      rememberIntactThumbnail(blobs, image.thumbnailKey);
      return image.thumbnailKey;
    }
  }
  await rebuildOutputThumbnail(blobs, image);
  return image.thumbnailKey;
}

/** Makes the thumbnail again from the output and stores it (unsynced, like the engine's write). */
export async function rebuildOutputThumbnail(blobs: BlobStore, image: OutputThumbnailSource): Promise<void> {
  const output = await blobs.read(image.fileKey);
  const thumbnail = await makeThumbnail(output, `output ${image.fileKey}`);
  await blobs.put(image.thumbnailKey, thumbnail, { contentType: 'image/webp', durable: false });
  rememberIntactThumbnail(blobs, image.thumbnailKey);
}

async function readIfPresent(blobs: BlobStore, key: string): Promise<Uint8Array | undefined> {
  try {
    return await blobs.read(key);
  } catch (error) {
    if (error instanceof ImagefleetError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/**
 * A RIFF/WEBP container whose declared size matches the bytes (catches empty and cut-short
 * files cheaply), and whose pixels decode to the end (catches zero-filled or garbled blocks).
 */
async function isWholeWebp(bytes: Uint8Array): Promise<boolean> {
  if (bytes.byteLength < 20) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = view.getUint32(0, false) === 0x52494646; // "RIFF"
  const webp = view.getUint32(8, false) === 0x57454250; // "WEBP"
  if (!riff || !webp || view.getUint32(4, true) + 8 !== bytes.byteLength) return false;
  try {
    await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}
