/**
 * The ZIP records waiting to go out in front of the next file bytes (stored-zip-writer.ts): the
 * data descriptor of the entry just sent and the local header of the next one. Written into the
 * headroom of the read buffer that holds the next file's first chunk, they leave with it in one
 * socket write, as the same files sent without a ZIP do (docs/decisions/0051); where there is no
 * such buffer (a store that streams, an empty file, the end of the archive) they go out as a
 * buffer of their own.
 */
import { dataDescriptorLength, localHeaderLength, writeDataDescriptor, writeLocalHeader } from './stored-zip-records.js';

type PendingRecord = { kind: 'header'; nameBytes: Buffer; mtime: Date } | { kind: 'descriptor'; crc32: number; size: number; zip64: boolean };

export class PendingRecords {
  private readonly records: PendingRecord[] = [];
  /** Bytes of the records waiting. */
  bytes = 0;

  /** Queues an entry's local header; returns its length in bytes. */
  addLocalHeader(nameBytes: Buffer, mtime: Date): number {
    const length = localHeaderLength(nameBytes);
    this.records.push({ kind: 'header', nameBytes, mtime });
    this.bytes += length;
    return length;
  }

  /** Queues an entry's data descriptor; returns its length in bytes. */
  addDataDescriptor(crc32: number, size: number, zip64: boolean): number {
    const length = dataDescriptorLength(zip64);
    this.records.push({ kind: 'descriptor', crc32, size, zip64 });
    this.bytes += length;
    return length;
  }

  /** Writes the waiting records into `target` so that they end at `endOffset` (at least `bytes`); returns where they start. Clears them. */
  writeBefore(target: Buffer, endOffset: number): number {
    const start = endOffset - this.bytes;
    this.writeAt(target, start);
    return start;
  }

  /** The waiting records as a buffer of their own (the sink keeps it). Clears them. */
  take(): Buffer {
    const buffer = Buffer.allocUnsafe(this.bytes);
    this.writeAt(buffer, 0);
    return buffer;
  }

  private writeAt(target: Buffer, start: number): void {
    let cursor = start;
    for (const record of this.records) {
      cursor += record.kind === 'header' ? writeLocalHeader(target, cursor, record.nameBytes, record.mtime) : writeDataDescriptor(target, cursor, record.crc32, record.size, record.zip64);
    }
    this.records.length = 0;
    this.bytes = 0;
  }
}
