/**
 * `BlobStore` on the local file system, under one root directory (the data directory's blob root).
 * A key is a relative path under the root, one to one, so the layout is the one core/blob-keys.ts
 * describes and existing data directories keep working. This adapter only stores bytes: key names
 * come from core/blob-keys.ts, thumbnails from src/imaging.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { checkBlobKey, checkBlobPrefix } from '../../core/blob-keys.js';
import { ImagefleetError, invalidInput } from '../../core/errors.js';
import type { BlobPutOptions, BlobRange, BlobRead, BlobReader, BlobStat, BlobStore, MaterializedBlob } from '../../engine/ports.js';
import { writeFileAtomic } from '../../platform/write-file-atomic.js';

/** Read buffer of a streamed blob: large reads keep throughput near the disk's (ZIP downloads). */
const readChunkBytes = 1024 * 1024;

export class FileBlobStore implements BlobStore {
  /** Unsynced puts (`durable: false`) skip the fsyncs, so a power cut can tear them. */
  readonly tearsUnsyncedWrites = true;
  /** Absolute root every key resolves under. */
  readonly rootDirectory: string;
  /** Directories already created (one per job for outputs), so writes skip `mkdir`. */
  private readonly knownDirectories = new Set<string>();

  constructor(rootDirectory: string) {
    this.rootDirectory = path.resolve(rootDirectory);
  }

  /** Temp file in the target's directory, write, fsync, rename, fsync the directory (src/platform/write-file-atomic.ts); no fsyncs when `durable` is false. */
  async put(key: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, options: BlobPutOptions): Promise<void> {
    // A stream cannot be replayed after a cached folder turns out to be gone, so streams always make their folder.
    const knownDirectories = bytes instanceof Uint8Array ? this.knownDirectories : undefined;
    await writeFileAtomic(this.pathOf(key), bytes, { createDirectories: true, knownDirectories, durable: options.durable ?? true });
  }

  async get(key: string, range?: BlobRange): Promise<BlobRead> {
    const filePath = this.pathOf(key);
    const stats = await stat(filePath).catch((error: unknown) => {
      throw readFailure(key, filePath, error);
    });
    if (!stats.isFile()) throw new ImagefleetError('not_found', `Blob ${key} does not exist.`);
    if (range !== undefined) checkRange(range);
    const start = range?.offsetBytes ?? 0;
    const lengthBytes = range?.lengthBytes;
    // createReadStream's `end` is inclusive and cannot express an empty range.
    const stream = lengthBytes === 0 ? Readable.from([]) : createReadStream(filePath, { start, end: lengthBytes === undefined ? undefined : start + lengthBytes - 1, highWaterMark: readChunkBytes });
    return { stream, byteSize: stats.size, modifiedAtMs: Math.floor(stats.mtimeMs) };
  }

  /** One open file read at positions; no `stat`: a read past the end returns 0 bytes. */
  async openReader(key: string): Promise<BlobReader> {
    const filePath = this.pathOf(key);
    const handle = await open(filePath, 'r').catch((error: unknown) => {
      throw readFailure(key, filePath, error);
    });
    let closed: Promise<void> | undefined;
    return {
      read: async (target, lengthBytes, positionBytes) => (await handle.read(target, 0, lengthBytes, positionBytes)).bytesRead,
      close: () => (closed ??= handle.close().catch(() => undefined)),
    };
  }

  /** Reads a whole blob; `not_found` when it does not exist. */
  async read(key: string): Promise<Uint8Array> {
    const filePath = this.pathOf(key);
    try {
      return await readFile(filePath);
    } catch (error) {
      throw readFailure(key, filePath, error);
    }
  }

  /** Undefined when there is no such file; `storage_unavailable` when the file system refuses to say (permissions, I/O). */
  async stat(key: string): Promise<BlobStat | undefined> {
    const filePath = this.pathOf(key);
    let stats;
    try {
      stats = await stat(filePath);
    } catch (error) {
      const failure = readFailure(key, filePath, error);
      if (failure.code === 'not_found') return undefined;
      throw failure;
    }
    return stats.isFile() ? { byteSize: stats.size, modifiedAtMs: Math.floor(stats.mtimeMs) } : undefined;
  }

  async delete(keys: string[]): Promise<void> {
    const filePaths = keys.map((key) => this.pathOf(key));
    for (const filePath of filePaths) {
      await rm(filePath, { force: true }).catch((error: unknown) => {
        throw removeFailure(filePath, error);
      });
    }
  }

  /** Removes the folder the prefix names (prefixes end with "/", so they are whole folders here). */
  async deletePrefix(prefix: string): Promise<void> {
    checkBlobPrefix(prefix);
    const folderPath = this.pathOf(prefix.slice(0, -1));
    // The folder and every folder under it must be made again by the next put there.
    for (const known of this.knownDirectories) {
      if (known === folderPath || known.startsWith(folderPath + path.sep)) this.knownDirectories.delete(known);
    }
    try {
      await rm(folderPath, { recursive: true, force: true });
    } catch (error) {
      throw removeFailure(folderPath, error);
    }
  }

  /** The stored file itself: hard links to it keep their bytes, because a stored file is only ever replaced by rename. */
  async materialize(key: string): Promise<MaterializedBlob> {
    const filePath = this.pathOf(key);
    const stats = await stat(filePath).catch((error: unknown) => {
      throw readFailure(key, filePath, error);
    });
    if (!stats.isFile()) throw new ImagefleetError('not_found', `Blob ${key} does not exist.`);
    return { filePath, isStoredFile: true, release: () => Promise.resolve() };
  }

  /**
   * Absolute path of a key, for this adapter and tools that know they run on files (tests, the
   * MCP shell's `stored_file`). Refuses keys `checkBlobKey` refuses, and asserts the result stays
   * under the root, so a key taken from a request can never reach another file.
   */
  pathOf(key: string): string {
    checkBlobKey(key);
    if (path.win32.isAbsolute(key)) throw invalidInput([{ path: 'key', message: 'is absolute' }], 'Invalid blob key');
    const resolved = path.resolve(this.rootDirectory, key);
    if (!resolved.startsWith(this.rootDirectory + path.sep)) throw invalidInput([{ path: 'key', message: 'resolves outside the blob root' }], 'Invalid blob key');
    return resolved;
  }
}

function checkRange(range: BlobRange): void {
  const issues = [
    ...(Number.isSafeInteger(range.offsetBytes) && range.offsetBytes >= 0 ? [] : [{ path: 'offsetBytes', message: 'must be a non-negative integer' }]),
    ...(range.lengthBytes === undefined || (Number.isSafeInteger(range.lengthBytes) && range.lengthBytes >= 0) ? [] : [{ path: 'lengthBytes', message: 'must be a non-negative integer' }]),
  ];
  if (issues.length > 0) throw invalidInput(issues, 'Invalid blob range');
}

function readFailure(key: string, filePath: string, error: unknown): ImagefleetError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ImagefleetError('not_found', `Blob ${key} does not exist.`, { cause: error });
  return new ImagefleetError('storage_unavailable', `Could not read ${filePath} (${String(code ?? error)}); check the data directory.`, { cause: error });
}

function removeFailure(filePath: string, error: unknown): ImagefleetError {
  const code = (error as { code?: unknown }).code;
  return new ImagefleetError('storage_unavailable', `Could not remove ${filePath} (${String(code ?? error)}); check the data directory.`, { cause: error });
}
