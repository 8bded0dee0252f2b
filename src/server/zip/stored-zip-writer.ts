/**
 * Writes a stored-entries ZIP (stored-zip-records.ts) to a sink, one entry after another, reading
 * each blob in chunks through the blob port. Every entry is exactly its planned size whatever
 * happens to its blob meanwhile (docs/decisions/0021): a blob that is missing, ends early or fails
 * is completed with zeros and reported; bytes past the planned size are not sent and reported.
 *
 * Where the store reads into the caller's buffers (`openReader`: files), chunks come from a
 * `ReadBufferPool` and go back to it once the sink has sent them, so a download allocates nothing
 * per chunk and holds at most the pool (docs/decisions/0045). Other stores (S3) stream through
 * `ExactSizeBlobStream`. The CRC-32 of each entry is Node's native `zlib.crc32` over the chunks as
 * they pass.
 */
import zlib from 'node:zlib';
import type { BlobReader, BlobStore } from '../../engine/ports.js';
import { ExactSizeBlobStream, type FileProblem } from './exact-size-blob-stream.js';
import type { ReadBufferPool } from './read-buffer-pool.js';
import { centralRecord, dataDescriptor, endRecords, entryNeedsZip64, localHeader, type StoredZipEntry, type WrittenZipEntry } from './stored-zip-records.js';

/** Where the archive's bytes go. */
export interface ZipSink {
  /**
   * Sends a chunk; resolves when the sink can take more. With `release`, the chunk lives in a
   * pooled buffer: the sink calls `release` once the bytes have left (or will never leave).
   */
  write(chunk: Buffer, release?: () => void): Promise<void>;
}

/** An entry read from a blob. */
export interface BlobZipEntry extends StoredZipEntry {
  /** Blob key of the bytes. */
  key: string;
}

export interface StoredZipWriteOptions {
  blobs: BlobStore;
  /** The files, in archive order. */
  entries: readonly BlobZipEntry[];
  /** The last entry, made once every file is sent (so it can name the damaged ones); exactly `size` bytes. */
  trailer: StoredZipEntry & { bytes: () => Buffer };
  /** ZIP64 records for every entry and the end, needed or not (readers' ZIP64 support in tests). */
  forceZip64: boolean;
  pool: ReadBufferPool;
  /** Whether the download was stopped; checked between steps. */
  isAborted: () => boolean;
  onFileProblem: (entry: BlobZipEntry, problem: FileProblem) => void;
}

/** Central directory records written per sink call, so a huge archive's directory is never one buffer. */
const directoryBatchRecords = 1024;

/** Writes the whole archive to `sink`; stops quietly between steps once `isAborted()`. */
export async function writeStoredZip(sink: ZipSink, options: StoredZipWriteOptions): Promise<void> {
  const { forceZip64 } = options;
  const written: WrittenZipEntry[] = [];
  let offsetBytes = 0;
  const send = async (chunk: Buffer, release?: () => void): Promise<void> => {
    offsetBytes += chunk.length;
    await sink.write(chunk, release);
  };
  const writeEntry = async (entry: StoredZipEntry, sendData: () => Promise<number>): Promise<void> => {
    const nameBytes = Buffer.from(entry.name, 'utf8');
    const entryOffsetBytes = offsetBytes;
    await send(localHeader(nameBytes, entry.mtime));
    const crc32 = await sendData();
    await send(dataDescriptor(crc32, entry.size, entryNeedsZip64(entry.size, entryOffsetBytes, forceZip64)));
    written.push({ entry, nameBytes, offsetBytes: entryOffsetBytes, crc32 });
  };

  for (const entry of options.entries) {
    if (options.isAborted()) return;
    await writeEntry(entry, () => sendBlob(entry, options, send));
  }
  if (options.isAborted()) return;
  const trailer = options.trailer;
  await writeEntry(trailer, async () => {
    const bytes = trailer.bytes();
    if (bytes.length !== trailer.size) throw new Error(`the trailing entry has ${bytes.length} bytes, not the planned ${trailer.size}`);
    await send(bytes);
    return zlib.crc32(bytes);
  });

  const directoryOffsetBytes = offsetBytes;
  for (let start = 0; start < written.length; start += directoryBatchRecords) {
    if (options.isAborted()) return;
    await send(Buffer.concat(written.slice(start, start + directoryBatchRecords).map((entry) => centralRecord(entry, forceZip64))));
  }
  await send(endRecords(written.length, offsetBytes - directoryOffsetBytes, directoryOffsetBytes, forceZip64));
}

/** Sends one blob's planned bytes; returns their CRC-32. */
async function sendBlob(entry: BlobZipEntry, options: StoredZipWriteOptions, send: (chunk: Buffer, release?: () => void) => Promise<void>): Promise<number> {
  if (entry.size === 0) return 0;
  const { blobs, pool } = options;
  if (blobs.openReader === undefined) return sendStreamed(entry, options, send);
  let reader: BlobReader | undefined;
  let problem: FileProblem | undefined;
  try {
    reader = await blobs.openReader(entry.key);
  } catch (error) {
    problem = { kind: 'missing', bytesRead: 0, cause: error };
    options.onFileProblem(entry, problem);
  }
  // Each buffer has one byte more than a chunk: the last read asks for one byte past the plan, to notice a longer blob.
  const chunkBytes = pool.bytes - 1;
  let crc32 = 0;
  let position = 0;
  try {
    while (position < entry.size) {
      if (options.isAborted()) return crc32;
      const remaining = entry.size - position;
      const wanted = Math.min(remaining, chunkBytes);
      const buffer = await pool.take(wanted + 1);
      let got = 0;
      if (problem === undefined && reader !== undefined) {
        try {
          got = await reader.read(buffer, remaining <= chunkBytes ? wanted + 1 : wanted, position);
          if (got > remaining) {
            got = remaining;
            options.onFileProblem(entry, { kind: 'long', bytesRead: position + got });
          } else if (got === 0) {
            problem = { kind: 'short', bytesRead: position };
            options.onFileProblem(entry, problem);
          }
        } catch (error) {
          got = 0;
          problem = { kind: 'short', bytesRead: position, cause: error };
          options.onFileProblem(entry, problem);
        }
      }
      if (got === 0) {
        buffer.fill(0, 0, wanted);
        got = wanted;
      }
      const chunk = buffer.subarray(0, got);
      crc32 = zlib.crc32(chunk, crc32);
      position += got;
      await send(chunk, () => pool.give(buffer));
    }
  } finally {
    await reader?.close();
  }
  return crc32;
}

/** A store without `openReader`: its stream, kept to the planned size by ExactSizeBlobStream. */
async function sendStreamed(entry: BlobZipEntry, options: StoredZipWriteOptions, send: (chunk: Buffer) => Promise<void>): Promise<number> {
  const stream = new ExactSizeBlobStream(options.blobs, entry.key, entry.size, options.pool.bytes - 1, (problem) => options.onFileProblem(entry, problem));
  let crc32 = 0;
  try {
    for await (const chunk of stream) {
      if (options.isAborted()) break;
      const bytes = chunk as Buffer;
      crc32 = zlib.crc32(bytes, crc32);
      await send(bytes);
    }
  } finally {
    stream.destroy();
  }
  return crc32;
}
