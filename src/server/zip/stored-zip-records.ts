/**
 * The records of a ZIP archive whose entries are all stored (not compressed) and whose sizes are
 * known before the first byte — what a download of already-compressed images is. The layout is
 * the one yazl 3 wrote for the same archive (docs/decisions/0045): a local header with "sizes and
 * CRC-32 follow" (bit 3) and UTF-8 names, the bytes, a data descriptor, then the central directory
 * with an extended timestamp per entry, ZIP64 fields where an entry or the directory needs them.
 * The archive's size is computed by the same functions that write it, so the two cannot disagree.
 */

/** One entry as the records need it. */
export interface StoredZipEntry {
  /** Path inside the archive (already sanitised; UTF-8). */
  name: string;
  /** Bytes of the entry. */
  size: number;
  /** Modification time written into the archive. */
  mtime: Date;
}

/** An entry once written: what its central directory record repeats. */
export interface WrittenZipEntry {
  entry: StoredZipEntry;
  /** UTF-8 bytes of the name. */
  nameBytes: Buffer;
  /** Offset of the entry's local header in the archive, in bytes. */
  offsetBytes: number;
  /** CRC-32 of the entry's bytes. */
  crc32: number;
}

const localHeaderBytes = 30;
const dataDescriptorBytes = 16;
const zip64DataDescriptorBytes = 24;
const centralRecordBytes = 46;
const timestampExtraBytes = 9;
const zip64ExtraBytes = 28;
const endRecordBytes = 22;
const zip64EndRecordBytes = 56;
const zip64EndLocatorBytes = 20;

const versionNeededUtf8 = 20;
const versionNeededZip64 = 45;
/** Unix, spec version 6.3. */
const versionMadeBy = (3 << 8) | 63;
const nameIsUtf8 = 1 << 11;
const sizesFollowData = 1 << 3;
const flags = nameIsUtf8 | sizesFollowData;
/** Regular file, rw-r--r--. */
const externalAttributes = (0o100644 << 16) >>> 0;
/** Largest value a 32-bit field holds before ZIP64 takes over (yazl's limit, kept). */
const largest32 = 0xfffffffe;

/** Whether an entry needs ZIP64 fields (yazl's rule: its size or its offset passes 32 bits). */
export function entryNeedsZip64(size: number, offsetBytes: number, forceZip64: boolean): boolean {
  return forceZip64 || size > largest32 || offsetBytes > largest32;
}

/** Bytes of an entry's local header: fixed part and name. */
export function localHeaderLength(nameBytes: Buffer): number {
  return localHeaderBytes + nameBytes.length;
}

/** Bytes of an entry's data descriptor. */
export function dataDescriptorLength(zip64: boolean): number {
  return zip64 ? zip64DataDescriptorBytes : dataDescriptorBytes;
}

export function localHeader(nameBytes: Buffer, mtime: Date): Buffer {
  const header = Buffer.alloc(localHeaderLength(nameBytes));
  writeLocalHeader(header, 0, nameBytes, mtime);
  return header;
}

/** Writes a local header into `target` at `offset` (every byte of it, zeros included); returns its length. */
export function writeLocalHeader(target: Buffer, offset: number, nameBytes: Buffer, mtime: Date): number {
  const { date, time } = dosDateTime(mtime);
  target.writeUInt32LE(0x04034b50, offset);
  target.writeUInt16LE(versionNeededUtf8, offset + 4);
  target.writeUInt16LE(flags, offset + 6);
  target.writeUInt16LE(0, offset + 8); // stored
  target.writeUInt16LE(time, offset + 10);
  target.writeUInt16LE(date, offset + 12);
  // CRC-32 and sizes are zero here: the data descriptor carries them (bit 3).
  target.fill(0, offset + 14, offset + 26);
  target.writeUInt16LE(nameBytes.length, offset + 26);
  target.writeUInt16LE(0, offset + 28); // no extra field
  nameBytes.copy(target, offset + localHeaderBytes);
  return localHeaderBytes + nameBytes.length;
}

export function dataDescriptor(crc32: number, size: number, zip64: boolean): Buffer {
  const descriptor = Buffer.alloc(dataDescriptorLength(zip64));
  writeDataDescriptor(descriptor, 0, crc32, size, zip64);
  return descriptor;
}

/** Writes a data descriptor into `target` at `offset`; returns its length. */
export function writeDataDescriptor(target: Buffer, offset: number, crc32: number, size: number, zip64: boolean): number {
  target.writeUInt32LE(0x08074b50, offset);
  target.writeUInt32LE(crc32 >>> 0, offset + 4);
  if (zip64) {
    writeUInt64(target, size, offset + 8);
    writeUInt64(target, size, offset + 16);
  } else {
    target.writeUInt32LE(size, offset + 8);
    target.writeUInt32LE(size, offset + 12);
  }
  return dataDescriptorLength(zip64);
}

export function centralRecord(written: WrittenZipEntry, forceZip64: boolean): Buffer {
  const { entry, nameBytes, offsetBytes, crc32 } = written;
  const zip64 = entryNeedsZip64(entry.size, offsetBytes, forceZip64);
  const record = Buffer.alloc(centralRecordBytes + nameBytes.length + timestampExtraBytes + (zip64 ? zip64ExtraBytes : 0));
  const { date, time } = dosDateTime(entry.mtime);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(versionMadeBy, 4);
  record.writeUInt16LE(zip64 ? versionNeededZip64 : versionNeededUtf8, 6);
  record.writeUInt16LE(flags, 8);
  record.writeUInt16LE(0, 10);
  record.writeUInt16LE(time, 12);
  record.writeUInt16LE(date, 14);
  record.writeUInt32LE(crc32 >>> 0, 16);
  record.writeUInt32LE(zip64 ? 0xffffffff : entry.size, 20);
  record.writeUInt32LE(zip64 ? 0xffffffff : entry.size, 24);
  record.writeUInt16LE(nameBytes.length, 28);
  record.writeUInt16LE(timestampExtraBytes + (zip64 ? zip64ExtraBytes : 0), 30);
  // comment length, disk number, internal attributes: 0
  record.writeUInt32LE(externalAttributes, 38);
  record.writeUInt32LE(zip64 ? 0xffffffff : offsetBytes, 42);
  let cursor = centralRecordBytes;
  nameBytes.copy(record, cursor);
  cursor += nameBytes.length;
  // Info-ZIP extended timestamp, flags mtime|atime as yazl wrote them (the central copy holds mtime only).
  record.writeUInt16LE(0x5455, cursor);
  record.writeUInt16LE(timestampExtraBytes - 4, cursor + 2);
  record.writeUInt8(0b11, cursor + 4);
  record.writeInt32LE(Math.max(-0x80000000, Math.min(0x7fffffff, Math.floor(entry.mtime.getTime() / 1000))), cursor + 5);
  cursor += timestampExtraBytes;
  if (zip64) {
    record.writeUInt16LE(0x0001, cursor);
    record.writeUInt16LE(zip64ExtraBytes - 4, cursor + 2);
    writeUInt64(record, entry.size, cursor + 4);
    writeUInt64(record, entry.size, cursor + 12);
    writeUInt64(record, offsetBytes, cursor + 20);
  }
  return record;
}

/** Whether the end of the archive needs the ZIP64 records. */
function endNeedsZip64(entryCount: number, directoryBytes: number, directoryOffsetBytes: number, forceZip64: boolean): boolean {
  return forceZip64 || entryCount >= 0xffff || directoryBytes >= 0xffffffff || directoryOffsetBytes >= 0xffffffff;
}

/** The end records: ZIP64 end record and locator when needed, then the classic end record. */
export function endRecords(entryCount: number, directoryBytes: number, directoryOffsetBytes: number, forceZip64: boolean): Buffer {
  const zip64 = endNeedsZip64(entryCount, directoryBytes, directoryOffsetBytes, forceZip64);
  const end = Buffer.alloc(endRecordBytes);
  end.writeUInt32LE(0x06054b50, 0);
  const count = zip64 ? 0xffff : entryCount;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directoryBytes, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : directoryOffsetBytes, 16);
  if (!zip64) return end;
  const record = Buffer.alloc(zip64EndRecordBytes);
  record.writeUInt32LE(0x06064b50, 0);
  writeUInt64(record, zip64EndRecordBytes - 12, 4);
  record.writeUInt16LE(versionMadeBy, 12);
  record.writeUInt16LE(versionNeededZip64, 14);
  writeUInt64(record, entryCount, 24);
  writeUInt64(record, entryCount, 32);
  writeUInt64(record, directoryBytes, 40);
  writeUInt64(record, directoryOffsetBytes, 48);
  const locator = Buffer.alloc(zip64EndLocatorBytes);
  locator.writeUInt32LE(0x07064b50, 0);
  writeUInt64(locator, directoryOffsetBytes + directoryBytes, 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}

/** Exact size of the archive, in bytes, by the rules the writers above follow. */
export function archiveSize(entries: readonly StoredZipEntry[], forceZip64: boolean): number {
  let offsetBytes = 0;
  let directoryBytes = 0;
  for (const entry of entries) {
    const nameLength = Buffer.byteLength(entry.name);
    const zip64 = entryNeedsZip64(entry.size, offsetBytes, forceZip64);
    offsetBytes += localHeaderBytes + nameLength + entry.size + (zip64 ? zip64DataDescriptorBytes : dataDescriptorBytes);
    directoryBytes += centralRecordBytes + nameLength + timestampExtraBytes + (zip64 ? zip64ExtraBytes : 0);
  }
  const zip64End = endNeedsZip64(entries.length, directoryBytes, offsetBytes, forceZip64);
  return offsetBytes + directoryBytes + endRecordBytes + (zip64End ? zip64EndRecordBytes + zip64EndLocatorBytes : 0);
}

/** The clamp bounds of `dosDateTime` in ms, made once (two Dates per call showed in the download's profile). */
const dosMinimumMs = new Date(1980, 0, 1).getTime();
const dosMaximumMs = new Date(2107, 11, 31, 23, 59, 58).getTime();

/** MS-DOS date and time in local time, clamped to 1980–2107 (as yazl did). */
function dosDateTime(value: Date): { date: number; time: number } {
  const timeMs = value.getTime();
  const clamped = timeMs < dosMinimumMs ? new Date(dosMinimumMs) : timeMs > dosMaximumMs ? new Date(dosMaximumMs) : value;
  const date = (clamped.getDate() & 0x1f) | (((clamped.getMonth() + 1) & 0xf) << 5) | (((clamped.getFullYear() - 1980) & 0x7f) << 9);
  const time = Math.floor(clamped.getSeconds() / 2) | ((clamped.getMinutes() & 0x3f) << 5) | ((clamped.getHours() & 0x1f) << 11);
  return { date, time };
}

function writeUInt64(buffer: Buffer, value: number, offset: number): void {
  buffer.writeUInt32LE(value % 0x100000000, offset);
  buffer.writeUInt32LE(Math.floor(value / 0x100000000), offset + 4);
}
