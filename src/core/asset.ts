/** An uploaded reference image, stored once by content. */
export interface Asset {
  id: string;
  /** Hex SHA-256 of the stored bytes; uploading the same bytes again returns the same asset. */
  sha256: string;
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  /** Original file name, for display only (never used as a path). */
  originalName: string;
  /**
   * Hex SHA-256 of the bytes as the user uploaded them (`sha256` is of the re-encoded, metadata-free
   * copy). Absent for assets stored before it was recorded.
   */
  sourceSha256?: string;
  createdAtMs: number;
}

/**
 * What the caller already found out about an image file it hands over for import, so the importer
 * does not work it out again (an upload's bytes are hashed while they arrive and its header is
 * checked before it waits for a decode slot).
 */
export interface AssetFileFacts {
  /** Hex SHA-256 of the file's bytes as given; recorded as the asset's `sourceSha256`. */
  sourceSha256?: string;
  /** The image's header as read from the file (sharp's format name; size before EXIF rotation, in pixels). */
  header?: { format: string | undefined; width: number | undefined; height: number | undefined };
}
