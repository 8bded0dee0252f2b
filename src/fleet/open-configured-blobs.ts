/**
 * Opens the blob store the configuration names: files under this process's data directory (the
 * embedded default) or an S3-compatible bucket shared by every process (`IMAGEFLEET_BLOB_URL`).
 * The bucket is tried once at start, so a wrong endpoint, bad keys or a missing bucket stop the
 * start with one sentence instead of failing the first task.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BlobSettings } from '../config/config.js';
import { assetThumbnailKey } from '../core/blob-keys.js';
import { ImagefleetError, isImagefleetError } from '../core/errors.js';
import type { BlobStore } from '../engine/ports.js';
import { FileBlobStore } from '../store/blobs/file-blob-store.js';
import { S3BlobStore } from '../store/blobs/s3-blob-store.js';

/** The opened blob store, and the local directory `sweepTemporaryFiles` should clean (files only). */
export interface ConfiguredBlobs {
  blobs: BlobStore;
  /** Directory of the file blobs (interrupted writes leave temp files there); undefined for S3. */
  fileDirectory: string | undefined;
}

/** How long the start-up check waits for S3's answer, in ms (a wrong endpoint must not hang the start). */
const probeTimeoutMs = 10_000;

/**
 * Opens the configured blob store. S3 copies for `materialize` go to `<dataDir>/tmp/blobs`, this
 * process's own directory. Throws `storage_unavailable` naming IMAGEFLEET_BLOB_URL when the bucket
 * cannot be used; the message never holds a credential.
 */
export async function openConfiguredBlobs(settings: BlobSettings, dataDir: string): Promise<ConfiguredBlobs> {
  if (settings.kind === 'files') return { blobs: new FileBlobStore(settings.directory), fileDirectory: settings.directory };
  const { location } = settings;
  const temporaryDirectory = path.join(dataDir, 'tmp');
  // `materialize` makes its copies here; the data directory itself exists already.
  await mkdir(temporaryDirectory, { recursive: true });
  const probe = new S3BlobStore(location, { temporaryDirectory, requestTimeoutMs: probeTimeoutMs, maxAttempts: 2 });
  try {
    // Any key will do: "no such key" proves the bucket answers to these credentials.
    const read = await probe.get(assetThumbnailKey('0'.repeat(64)));
    const stream = read.stream as NodeJS.ReadableStream & { destroy?: () => void };
    stream.destroy?.();
  } catch (error) {
    if (!(isImagefleetError(error) && error.code === 'not_found')) {
      const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
      throw new ImagefleetError(
        'storage_unavailable',
        `Cannot use the S3 bucket IMAGEFLEET_BLOB_URL names (s3://${location.bucket}/${location.keyPrefix} at ${new URL(location.endpoint).host}): ${reason.charAt(0).toLowerCase()}${reason.slice(1)}.`,
        { cause: error },
      );
    }
  }
  return { blobs: new S3BlobStore(location, { temporaryDirectory }), fileDirectory: undefined };
}
