/**
 * Writes a stored-entries ZIP (stored-zip-records.ts) to a sink, one entry after another, reading
 * each blob in chunks through the blob port. Every entry is exactly its planned size whatever
 * happens to its blob meanwhile (docs/decisions/0021): a blob that is missing, ends early or fails
 * is completed with zeros and reported; bytes past the planned size are not sent and reported.
 *
 * Where the store reads into the caller's buffers (`openReader`: files), chunks come from a
 * `ReadBufferPool` and go back to it once the sink has sent them, so a download allocates nothing
 * per chunk and holds at most the pool (docs/decisions/0045). The records in front of a file's
 * bytes (the last entry's data descriptor, this entry's local header) are written into the
 * headroom of the buffer holding its first chunk, so each file leaves in one socket write as it
 * would without a ZIP (docs/decisions/0051). Other stores (S3) stream through
 * `ExactSizeBlobStream`. An entry whose CRC-32 was stored when its file was written is copied
 * without checksumming its bytes again (docs/decisions/0049): the checksum was most of what the
 * archive cost beyond sending the files. Other entries get Node's native `zlib.crc32` over the
 * chunks as they pass. When a file turns out missing, short or longer than planned, the bytes sent
 * are no longer the ones the stored CRC describes, so the entry's CRC is worked out from what was
 * sent: the part already sent is read again (`checksumSentPrefix`), the rest checksummed as it goes.
 */
import zlib from 'node:zlib';
import type { BlobReader, BlobStore } from '../../engine/ports.js';
import { ExactSizeBlobStream, type FileProblem } from './exact-size-blob-stream.js';
import type { ReadBufferPool } from './read-buffer-pool.js';
import { PendingRecords } from './pending-records.js';
import { centralRecord, endRecords, entryNeedsZip64, type StoredZipEntry, type WrittenZipEntry } from './stored-zip-records.js';

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
  /** CRC-32 of the blob's bytes stored when it was written; undefined: computed while sending. */
  crc32?: number | undefined;
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

/**
 * Bytes free in front of each read buffer (`ReadBufferPool` headroom) for the records that go out
 * before a file's first chunk: a data descriptor (≤ 24) and a local header (30 + the name). A name
 * too long for it sends its records as a buffer of their own.
 */
export const recordHeadroomBytes = 4096;

/** How the writer hands bytes to the sink, with the records waiting in front of them. */
interface EntryOutput {
  /** Sends bytes that are not in a pooled buffer (a streamed chunk, the trailer), after the waiting records. */
  send(chunk: Buffer): Promise<void>;
  /**
   * Sends `dataBytes` read into `buffer` after the pool's headroom, the waiting records written in
   * front of them when they fit; `release` gives the buffer back once the bytes have left.
   */
  sendPooled(buffer: Buffer, dataBytes: number, release: () => void): Promise<void>;
}

/** Writes the whole archive to `sink`; stops quietly between steps once `isAborted()`. */
export async function writeStoredZip(sink: ZipSink, options: StoredZipWriteOptions): Promise<void> {
  const { forceZip64, pool } = options;
  const written: WrittenZipEntry[] = [];
  const records = new PendingRecords();
  /** Archive bytes so far, the waiting records included. */
  let offsetBytes = 0;
  const sendRecords = async (): Promise<void> => {
    if (records.bytes > 0) await sink.write(records.take());
  };
  const output: EntryOutput = {
    async send(chunk) {
      await sendRecords();
      offsetBytes += chunk.length;
      await sink.write(chunk);
    },
    async sendPooled(buffer, dataBytes, release) {
      const dataStart = pool.headroomBytes;
      let start = dataStart;
      if (records.bytes > 0 && records.bytes <= dataStart) start = records.writeBefore(buffer, dataStart);
      else if (records.bytes > 0) {
        try {
          await sendRecords();
        } catch (error) {
          release();
          throw error;
        }
      }
      offsetBytes += dataBytes;
      await sink.write(buffer.subarray(start, dataStart + dataBytes), release);
    },
  };
  // An entry is its local header, its bytes, its data descriptor; begin and end around the bytes.
  const beginEntry = (entry: StoredZipEntry): WrittenZipEntry => {
    const nameBytes = Buffer.from(entry.name, 'utf8');
    const begun = { entry, nameBytes, offsetBytes, crc32: 0 };
    offsetBytes += records.addLocalHeader(nameBytes, entry.mtime);
    return begun;
  };
  const endEntry = (begun: WrittenZipEntry, crc32: number): void => {
    begun.crc32 = crc32;
    offsetBytes += records.addDataDescriptor(crc32, begun.entry.size, entryNeedsZip64(begun.entry.size, begun.offsetBytes, forceZip64));
    written.push(begun);
  };

  for (const entry of options.entries) {
    if (options.isAborted()) return;
    const begun = beginEntry(entry);
    endEntry(begun, await sendBlob(entry, options, output));
  }
  if (options.isAborted()) return;
  const trailer = options.trailer;
  const begunTrailer = beginEntry(trailer);
  const trailerBytes = trailer.bytes();
  if (trailerBytes.length !== trailer.size) throw new Error(`the trailing entry has ${trailerBytes.length} bytes, not the planned ${trailer.size}`);
  await output.send(trailerBytes);
  endEntry(begunTrailer, zlib.crc32(trailerBytes));

  // The last data descriptor goes out with the first directory batch, the end records with the last.
  const directoryOffsetBytes = offsetBytes;
  let directoryBytes = 0;
  for (let start = 0; start < written.length; start += directoryBatchRecords) {
    if (options.isAborted()) return;
    const parts = written.slice(start, start + directoryBatchRecords).map((entry) => centralRecord(entry, forceZip64));
    for (const part of parts) directoryBytes += part.length;
    if (start + directoryBatchRecords >= written.length) parts.push(endRecords(written.length, directoryBytes, directoryOffsetBytes, forceZip64));
    if (records.bytes > 0) parts.unshift(records.take());
    await sink.write(Buffer.concat(parts));
  }
}

/** Sends one blob's planned bytes; returns the CRC-32 of the bytes sent. */
async function sendBlob(entry: BlobZipEntry, options: StoredZipWriteOptions, output: EntryOutput): Promise<number> {
  if (entry.size === 0) return 0;
  const { blobs, pool } = options;
  if (blobs.openReader === undefined) return sendStreamed(entry, options, output);
  let reader: BlobReader | undefined;
  let problem: FileProblem | undefined;
  // The stored CRC holds while every byte sent is the file's as planned; a problem ends that.
  const checksum = new EntryChecksum(entry, options);
  try {
    reader = await blobs.openReader(entry.key);
  } catch (error) {
    problem = { kind: 'missing', bytesRead: 0, cause: error };
    checksum.report(problem);
  }
  // Each buffer has one byte more than a chunk: the last read asks for one byte past the plan, to notice a longer blob.
  const chunkBytes = pool.bytes - 1;
  const dataStart = pool.headroomBytes;
  let position = 0;
  try {
    while (position < entry.size) {
      if (options.isAborted()) return checksum.value;
      const remaining = entry.size - position;
      const wanted = Math.min(remaining, chunkBytes);
      const buffer = await pool.take(wanted + 1);
      let got = 0;
      if (problem === undefined && reader !== undefined) {
        try {
          got = await reader.read(dataStart === 0 ? buffer : buffer.subarray(dataStart), remaining <= chunkBytes ? wanted + 1 : wanted, position);
          if (got > remaining) {
            got = remaining;
            checksum.report({ kind: 'long', bytesRead: position + got });
          } else if (got === 0) {
            problem = { kind: 'short', bytesRead: position };
            checksum.report(problem);
          }
        } catch (error) {
          got = 0;
          problem = { kind: 'short', bytesRead: position, cause: error };
          checksum.report(problem);
        }
      }
      if (got === 0) {
        buffer.fill(0, dataStart, dataStart + wanted);
        got = wanted;
      }
      if (checksum.catchUpPending) await checksum.catchUp(position, pool);
      checksum.add(buffer, dataStart, dataStart + got);
      position += got;
      await output.sendPooled(buffer, got, () => pool.give(buffer));
    }
  } finally {
    await reader?.close();
  }
  return checksum.value;
}

/** A store without `openReader`: its stream, kept to the planned size by ExactSizeBlobStream. */
async function sendStreamed(entry: BlobZipEntry, options: StoredZipWriteOptions, output: EntryOutput): Promise<number> {
  const checksum = new EntryChecksum(entry, options);
  const stream = new ExactSizeBlobStream(options.blobs, entry.key, entry.size, options.pool.bytes - 1, (problem) => checksum.report(problem));
  let position = 0;
  try {
    for await (const chunk of stream) {
      if (options.isAborted()) break;
      const bytes = chunk as Buffer;
      if (checksum.catchUpPending) await checksum.catchUp(position, options.pool);
      checksum.add(bytes, 0, bytes.length);
      position += bytes.length;
      await output.send(bytes);
    }
    // A blob found longer than planned is reported after its last planned byte.
    if (checksum.catchUpPending) await checksum.catchUp(position, options.pool);
  } finally {
    stream.destroy();
  }
  return checksum.value;
}

/**
 * The CRC-32 of one entry's bytes as sent: the stored one while it can be trusted, else computed.
 * Once distrusted, the bytes already sent are read again from the blob to checksum them; if that
 * read fails too, the stored value stays, so a reader's CRC check flags the damaged entry (the
 * manifest marks it `truncated` either way).
 */
class EntryChecksum {
  value: number;
  /** Whether `value` is being computed from the bytes sent (no stored CRC, or it no longer holds). */
  private computing: boolean;
  /** A problem was reported: the bytes before the current position must be checksummed again (`catchUp`). */
  catchUpPending = false;

  constructor(
    private readonly entry: BlobZipEntry,
    private readonly options: StoredZipWriteOptions,
  ) {
    this.computing = entry.crc32 === undefined;
    this.value = entry.crc32 ?? 0;
  }

  /** Reports a problem with the entry's blob: the stored CRC no longer describes the bytes sent. */
  report(problem: FileProblem): void {
    this.distrust();
    this.options.onFileProblem(this.entry, problem);
  }

  distrust(): void {
    if (!this.computing) this.catchUpPending = true;
  }

  /** Checksums the `positionBytes` bytes already sent, read again, and computes from there on. */
  async catchUp(positionBytes: number, pool: ReadBufferPool): Promise<void> {
    this.catchUpPending = false;
    const prefix = await checksumSentPrefix(this.options.blobs, this.entry.key, positionBytes, pool);
    if (prefix === undefined) return;
    this.value = prefix;
    this.computing = true;
  }

  /** Accounts for the bytes of `buffer` from `start` to `end`, sent next (after `catchUp` when pending). */
  add(buffer: Buffer, start: number, end: number): void {
    if (this.computing && end > start) this.value = zlib.crc32(buffer.subarray(start, end), this.value);
  }
}

/** CRC-32 of the first `lengthBytes` of a blob, read again; undefined when they cannot all be read. */
async function checksumSentPrefix(blobs: BlobStore, key: string, lengthBytes: number, pool: ReadBufferPool): Promise<number | undefined> {
  if (lengthBytes === 0) return 0;
  let crc32 = 0;
  let position = 0;
  try {
    if (blobs.openReader !== undefined) {
      const reader = await blobs.openReader(key);
      const buffer = await pool.take(pool.bytes);
      try {
        while (position < lengthBytes) {
          const got = await reader.read(buffer, Math.min(pool.bytes, lengthBytes - position), position);
          if (got === 0) return undefined;
          crc32 = zlib.crc32(buffer.subarray(0, got), crc32);
          position += got;
        }
      } finally {
        pool.give(buffer);
        await reader.close();
      }
      return crc32;
    }
    const { stream } = await blobs.get(key, { offsetBytes: 0, lengthBytes });
    for await (const chunk of stream) {
      const bytes = chunk.subarray(0, Math.min(chunk.length, lengthBytes - position));
      crc32 = zlib.crc32(bytes, crc32);
      position += bytes.length;
    }
    return position === lengthBytes ? crc32 : undefined;
  } catch {
    return undefined;
  }
}
