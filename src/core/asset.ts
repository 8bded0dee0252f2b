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
