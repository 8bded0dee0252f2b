/**
 * The file behind a blob key, for tests that damage, inspect or seed stored files directly. The
 * fleet exposes its blobs only by the `BlobStore` port; this reaches the file adapter on purpose,
 * and fails clearly when the fleet stores blobs elsewhere (S3).
 */
import type { BlobStore } from '../../src/engine/ports.js';
import { FileBlobStore } from '../../src/store/blobs/file-blob-store.js';

export function blobFilePath(blobs: BlobStore, key: string): string {
  if (!(blobs instanceof FileBlobStore)) throw new Error('This fleet does not store blobs as files.');
  return blobs.pathOf(key);
}
