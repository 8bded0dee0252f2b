/**
 * ZIP uploads (reliability reference §3): the archive is read with yauzl from a temporary file.
 *
 * 1. The central directory is scanned first, without decompressing anything: entries are counted
 *    for real (not trusting the header's count) up to IMAGEFLEET_ZIP_MAX_ENTRIES, names that could
 *    leave their folder (`..`, absolute, drive letters, NUL; backslashes count as `/`, as Windows
 *    archivers mean them), symbolic links,
 *    encrypted and oddly compressed entries are rejected, and the declared sizes are summed. Over a
 *    limit, the whole upload is refused with 413 before anything is written.
 * 2. Accepted entries are extracted one at a time to a temporary file (never to a path taken from
 *    the archive), counting the real decompressed bytes; yauzl refuses data that does not match
 *    the sizes the header declared, so a lying header cannot expand without bound. Each file is
 *    then imported like a single upload (type from its bytes, pixel limit, re-encode).
 *
 * Entries that are not stored are listed with the reason.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { Asset } from '../../core/asset.js';
import { ImagefleetError, isImagefleetError } from '../../core/errors.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { imageTypeRefusal, importUploadedImage } from './image-import.js';
import { formatBytes } from './multipart-file.js';
import { sniffLength, sniffType, type SniffedType } from './sniff-type.js';

export interface ZipImportResult {
  assets: Array<{ entry: string; asset: Asset; created: boolean }>;
  rejected: Array<{ entry: string; reason: string }>;
}

interface ScannedEntry {
  entry: Entry;
  name: string;
}

const unixFileTypeMask = 0o170000;
const unixSymlink = 0o120000;

export async function importZipUpload(fleet: Fleet, zipPath: string, temporaryDirectory: string): Promise<ZipImportResult> {
  const limits = fleet.config.api;
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (error) {
    throw new ImagefleetError('unprocessable', `The upload is not a readable ZIP archive (${error instanceof Error ? error.message : String(error)}).`);
  }
  try {
    const result: ZipImportResult = { assets: [], rejected: [] };
    const accepted = await scan(zip, result, limits).catch((error: unknown) => {
      if (isImagefleetError(error)) throw error;
      throw new ImagefleetError('unprocessable', `The ZIP's directory cannot be read (${error instanceof Error ? error.message : String(error)}); the archive may be corrupt. Nothing was stored.`);
    });
    let expandedBytes = 0;
    for (const { entry, name } of accepted) {
      const entryPath = path.join(temporaryDirectory, `${randomUUID()}.entry`);
      try {
        let type: SniffedType | undefined;
        try {
          type = await extract(zip, entry, entryPath, (bytes) => {
            expandedBytes += bytes;
            if (expandedBytes > limits.zipMaxExpandedBytes) throw expandedTooLarge(limits.zipMaxExpandedBytes);
          });
        } catch (error) {
          if (isImagefleetError(error) && error.code === 'payload_too_large') throw error;
          result.rejected.push({ entry: name, reason: `its data cannot be read or does not match its header (${error instanceof Error ? error.message : String(error)}); the archive may be corrupt or crafted` });
          continue;
        }
        const refusal = imageTypeRefusal(type, 'It');
        if (refusal) {
          result.rejected.push({ entry: name, reason: refusal.message });
          continue;
        }
        try {
          const imported = await importUploadedImage(fleet, { path: entryPath, fileName: path.posix.basename(name), type });
          result.assets.push({ entry: name, ...imported });
        } catch (error) {
          if (!isImagefleetError(error) || !['unsupported_media_type', 'unprocessable', 'invalid_input'].includes(error.code)) throw error;
          result.rejected.push({ entry: name, reason: error.message });
        }
      } finally {
        await rm(entryPath, { force: true });
      }
    }
    return result;
  } finally {
    zip.close();
  }
}

/** Reads the central directory: counts, classifies and sums entries; 413 over a limit. */
async function scan(zip: ZipFile, result: ZipImportResult, limits: Fleet['config']['api']): Promise<ScannedEntry[]> {
  const accepted: ScannedEntry[] = [];
  let count = 0;
  let declaredBytes = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      count += 1;
      if (count > limits.zipMaxEntries) {
        reject(new ImagefleetError('payload_too_large', `The ZIP holds more than ${limits.zipMaxEntries.toLocaleString('en-US')} entries (IMAGEFLEET_ZIP_MAX_ENTRIES); split it into smaller archives. Nothing was stored.`));
        return;
      }
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const reason = rejectionReason(entry, name, limits.uploadMaxBytes);
      if (reason === 'folder') {
        // Folders are structure, not content: nothing to report.
      } else if (reason !== undefined) {
        result.rejected.push({ entry: displayEntryName(name), reason });
      } else {
        accepted.push({ entry, name });
        declaredBytes += entry.uncompressedSize;
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
  if (declaredBytes > limits.zipMaxExpandedBytes) throw expandedTooLarge(limits.zipMaxExpandedBytes, declaredBytes);
  return accepted;
}

function rejectionReason(entry: Entry, name: string, maxEntryBytes: number): string | undefined {
  if (name.includes('\0')) return 'its name contains a NUL character';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'its path is absolute, so it would leave its folder';
  if (name.split('/').some((segment) => segment === '..')) return 'its path contains "..", so it would leave its folder';
  const invalid = yauzl.validateFileName(name);
  if (invalid !== null) return `its name is unsafe (${invalid})`;
  const unixMode = (entry.externalFileAttributes >>> 16) & unixFileTypeMask;
  if (unixMode === unixSymlink) return 'it is a symbolic link; only regular files are accepted';
  if (name.endsWith('/')) return 'folder';
  const segments = name.split('/');
  if (segments[0] === '__MACOSX' || segments.some((segment) => segment.startsWith('.'))) return 'it is a hidden or system file';
  if (entry.isEncrypted()) return 'it is encrypted';
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return `it uses compression method ${entry.compressionMethod}; only stored and deflated entries are read`;
  if (entry.uncompressedSize > maxEntryBytes) return `it expands to ${formatBytes(entry.uncompressedSize)}, over the ${formatBytes(maxEntryBytes)} per-image limit (IMAGEFLEET_UPLOAD_MAX_BYTES)`;
  return undefined;
}

/** Writes one entry's data to `filePath`, reporting the real decompressed bytes as they come. */
async function extract(zip: ZipFile, entry: Entry, filePath: string, onBytes: (bytes: number) => void): Promise<SniffedType | undefined> {
  const input: Readable = await zip.openReadStreamPromise(entry);
  let head = Buffer.alloc(0);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        onBytes(chunk.length);
      } catch (error) {
        return callback(error as Error);
      }
      if (head.length < sniffLength) head = Buffer.concat([head, chunk.subarray(0, sniffLength - head.length)]);
      callback(null, chunk);
    },
  });
  await pipeline(input, counter, createWriteStream(filePath, { flags: 'wx' }));
  return sniffType(head);
}

function expandedTooLarge(limit: number, declared?: number): ImagefleetError {
  const size = declared === undefined ? 'more than that' : formatBytes(declared);
  return new ImagefleetError(
    'payload_too_large',
    `The ZIP expands to ${size}, over the ${formatBytes(limit)} limit (IMAGEFLEET_ZIP_MAX_EXPANDED_BYTES); split it into smaller archives. Nothing was stored.`,
  );
}

/** An entry name fit to echo back: control characters removed, at most 300 characters. */
function displayEntryName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}]/gu, '?').slice(0, 300);
}
