/** Blob storage for reference images and outputs. A port: adapters in src/store implement it. */
/** Blob storage for reference images and outputs. Writes are atomic: temp file, fsync, rename. */
export interface BlobStore {
  /** Stores an asset's bytes under their SHA-256; returns the blob key. Idempotent. */
  putAsset(sha256: string, bytes: Uint8Array, mediaType: string): Promise<string>;
  /**
   * Writes a task output under a name derived from (job, task, index), so a repeat overwrites
   * instead of duplicating, and makes its WebP thumbnail.
   */
  putOutput(input: { jobId: string; taskId: string; index: number; bytes: Uint8Array; mediaType: string }): Promise<{ fileKey: string; thumbnailKey: string; byteSize: number }>;
  read(key: string): Promise<Uint8Array>;
  /** The WebP thumbnail of a stored asset (made on first use, then kept); returns its key. */
  assetThumbnail(sha256: string, assetKey: string): Promise<string>;
  /** Absolute path for streaming (ZIP, HTTP); the key must have come from this store. */
  pathOf(key: string): string;
  /** Removes every output and thumbnail of a job (after its rows were deleted). Idempotent. */
  deleteJobFiles(jobId: string): Promise<void>;
  /** Removes the given output and thumbnail keys (files no row refers to). Missing files are fine. */
  deleteOutputs(keys: string[]): Promise<void>;
}
