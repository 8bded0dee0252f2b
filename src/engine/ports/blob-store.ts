/**
 * Blob storage for reference images, outputs and thumbnails. A port: adapters in src/store/blobs
 * implement it (files today, S3-compatible later). Blobs are addressed by key (names in
 * core/blob-keys.ts), never by a file path (DESIGN §9); image processing is not the store's
 * business (src/imaging).
 */

/** What is known about a stored blob without reading it. */
export interface BlobStat {
  /** Size of the blob in bytes. */
  byteSize: number;
  /** When the blob was last written, in milliseconds since the epoch (feeds HTTP validators). */
  modifiedAtMs: number;
}

/** A part of a blob to read. */
export interface BlobRange {
  /** First byte to read, from 0. */
  offsetBytes: number;
  /** Bytes to read from `offsetBytes`; default: to the end. Fewer come back when the blob is shorter. */
  lengthBytes?: number;
}

/** An open read of a blob. */
export interface BlobRead {
  /** The bytes asked for (the whole blob, or the range), streamed; destroy it to stop early. */
  stream: NodeJS.ReadableStream & AsyncIterable<Uint8Array>;
  /** Size of the whole blob in bytes when it was opened (not of the range). */
  byteSize: number;
  /** When the blob was last written, in milliseconds since the epoch. */
  modifiedAtMs: number;
}

/**
 * An open blob read into buffers the caller owns: no buffer is allocated per read, so a long
 * download (a ZIP of thousands of images) does not churn memory (docs/decisions/0045).
 */
export interface BlobReader {
  /**
   * Reads up to `lengthBytes` bytes starting at byte `positionBytes` of the blob into `target`
   * from its start; resolves with the number of bytes read, 0 at the end of the blob.
   */
  read(target: Uint8Array, lengthBytes: number, positionBytes: number): Promise<number>;
  /** Releases the blob. Idempotent. */
  close(): Promise<void>;
}

/** Options of a write. */
export interface BlobPutOptions {
  /** Media type of the bytes (an S3 adapter stores it; the file adapter derives nothing from it). */
  contentType: string;
  /**
   * Whether the blob must survive a power cut once `put` resolves. Default true. False is for
   * derived data that readers rebuild when they find it missing, empty or undecodable (output
   * thumbnails, decision 0048): the write is still atomic for readers, but a power cut may lose or
   * tear it. Stores whose writes are durable anyway (S3) ignore it.
   */
  durable?: boolean;
}

/** A blob as a local file, for tools that need a path (hard links into the CLI output tree). */
export interface MaterializedBlob {
  /** Absolute path of a file holding the blob's bytes; do not write to it. */
  filePath: string;
  /** Whether `filePath` is the stored blob itself (files) rather than a temporary copy (remote stores). */
  isStoredFile: boolean;
  /** Gives the file back: removes a temporary copy; nothing for the stored file. Idempotent. */
  release(): Promise<void>;
}

/**
 * The blob store. Every method refuses (`invalid_input`) keys that fail `checkBlobKey`; storage
 * failures are `storage_unavailable` with a message that says what to check.
 */
export interface BlobStore {
  /**
   * Whether a put with `durable: false` can come back missing or torn after a power cut (files:
   * true). Stores whose every write is durable (S3) leave it out, so readers of derived data
   * (thumbnails, decision 0048) skip the check.
   */
  readonly tearsUnsyncedWrites?: boolean;
  /**
   * Writes a blob atomically: a reader sees the old bytes or all the new ones, never a torn blob,
   * and once this resolves the blob survives a crash (files: temp file, fsync, rename) unless
   * `options.durable` is false. Replaces an existing blob with the same key.
   */
  put(key: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, options: BlobPutOptions): Promise<void>;
  /** Opens a blob (or a range of it) for reading; `not_found` when it does not exist. */
  get(key: string, range?: BlobRange): Promise<BlobRead>;
  /**
   * Opens a blob for reads into the caller's buffers; `not_found` when it does not exist. Optional:
   * stores that only stream (S3) leave it out and callers use `get`.
   */
  openReader?(key: string): Promise<BlobReader>;
  /** Reads a whole blob into memory; `not_found` when it does not exist. For small blobs (references). */
  read(key: string): Promise<Uint8Array>;
  /** Size and time of a blob; undefined when it does not exist. */
  stat(key: string): Promise<BlobStat | undefined>;
  /** Removes the given blobs; missing ones are fine. */
  delete(keys: string[]): Promise<void>;
  /** Removes every blob whose key starts with `prefix` (which ends with "/"); nothing when there is none. Idempotent. */
  deletePrefix(prefix: string): Promise<void>;
  /** A URL that serves the blob without this process, valid for `expiresInMs`. Absent for files (they are served through the app). */
  signedUrl?(key: string, expiresInMs: number): Promise<string>;
  /** The blob as a local file (files: the file itself; remote stores: a temporary download); `not_found` when it does not exist. */
  materialize(key: string): Promise<MaterializedBlob>;
}

/** Where one output image goes and what it is. */
export interface OutputImageInput {
  jobId: string;
  taskId: string;
  /** Position of the image in the task's reply, from 0. */
  index: number;
  /** The image bytes, already stamped with their provenance. */
  bytes: Uint8Array;
  /** Media type of `bytes`. */
  mediaType: string;
}

/** An output image once stored. */
export interface StoredOutputImage {
  /** Blob key of the image. */
  fileKey: string;
  /** Blob key of its WebP thumbnail. */
  thumbnailKey: string;
  /** Size of the image in bytes (as stored; the ZIP download plans from it). */
  byteSize: number;
  /** CRC-32 of the image's bytes (unsigned), stored with its row so a ZIP need not checksum them again. */
  crc32: number;
}

/**
 * Writes task outputs: the image and its thumbnail, under keys derived from (job, task, index), so
 * a repeat overwrites instead of duplicating. Bytes that do not decode are refused
 * (`invalid_input`) before anything is written. Implemented by src/imaging (thumbnails) over a
 * `BlobStore`.
 */
export interface OutputImageWriter {
  writeOutput(input: OutputImageInput): Promise<StoredOutputImage>;
}
