/** One output image of a completed task. */
export interface GeneratedImage {
  id: string;
  taskId: string;
  jobId: string;
  groupId: string;
  /** Position of this image within its task's output, 0-based. */
  index: number;
  /** Blob key of the file, relative to the data directory's outputs root. */
  fileKey: string;
  /** Blob key of the WebP thumbnail. */
  thumbnailKey: string;
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  /**
   * CRC-32 of the file's bytes (unsigned), taken when it was written; a ZIP copies the file without
   * checksumming it again. Undefined for images written before imagefleet stored it.
   */
  crc32?: number | undefined;
  /** Seed that reproduces this image, when the provider honours seeds. */
  seed: number | undefined;
  prompt: string;
  promptId: string;
  favorite: boolean;
  /** Hidden from the feed but restorable. */
  discarded: boolean;
  createdAtMs: number;
}
