/**
 * Writing a task output: the thumbnail is made first (bytes that do not decode are refused before
 * anything is written), then the image (durably) and its thumbnail (unsynced: derived data,
 * decision 0048) are put side by side under keys derived from (job, task, index), so a repeat
 * overwrites instead of duplicating (DESIGN §5.2). The row that points at them is written by the
 * caller only after this resolves (and the image is durable by then).
 */
import zlib from 'node:zlib';
import { outputBlobKeys } from '../core/blob-keys.js';
import type { BlobStore, OutputImageInput, OutputImageWriter, StoredOutputImage } from '../engine/ports.js';
import { makeThumbnail } from './thumbnail.js';

export async function writeOutputImage(blobs: BlobStore, input: OutputImageInput): Promise<StoredOutputImage> {
  const { jobId, taskId, index, bytes, mediaType } = input;
  const { fileKey, thumbnailKey } = outputBlobKeys({ jobId, taskId, index, mediaType });
  const thumbnail = await makeThumbnail(bytes, `task ${taskId} image ${index}`);
  // The thumbnail is derived data: written without fsync, rebuilt from the output by every reader
  // that finds it missing or torn after a power cut (output-thumbnail.ts, decision 0048).
  await Promise.all([blobs.put(fileKey, bytes, { contentType: mediaType }), blobs.put(thumbnailKey, thumbnail, { contentType: 'image/webp', durable: false })]);
  // The checksum a ZIP of this image needs, taken while the bytes are at hand (docs/decisions/0049).
  return { fileKey, thumbnailKey, byteSize: bytes.byteLength, crc32: zlib.crc32(bytes) };
}

/** `writeOutputImage` over one blob store, as the engine's port. */
export function createOutputImageWriter(blobs: BlobStore): OutputImageWriter {
  return { writeOutput: (input) => writeOutputImage(blobs, input) };
}
