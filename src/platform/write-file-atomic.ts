/**
 * Crash-safe file writes (reliability reference §1.3.5): a reader sees the old file or the whole new
 * one, never a torn one, and after `writeFileAtomic` returns the new file survives a power cut
 * (unless the caller passed `durable: false` for derived data, decision 0048).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { ImagefleetError } from '../core/errors.js';

/** Marks temp files so a sweep (or a human) can tell them from real outputs. */
export const temporaryFileSuffix = '.tmp';

export interface WriteFileAtomicOptions {
  /** Create missing parent directories first (and make their entries durable). Default false. */
  createDirectories?: boolean;
  /**
   * Directories known to exist (filled in as they are created). Saves a `mkdir` per write on the
   * hot output path; a directory removed behind our back is recreated on the ENOENT that follows.
   */
  knownDirectories?: Set<string>;
  /**
   * Make the write survive a power cut: fsync the file before the rename and its directory after.
   * Default true. False only for derived data a reader rebuilds when it finds it missing, empty or
   * undecodable (output thumbnails, decision 0048): the write stays atomic for every reader while
   * the system runs, but after a power cut the file may be absent, empty or torn.
   */
  durable?: boolean;
}

/** One file of a group written by `writeFilesAtomic`. */
export interface AtomicFile {
  filePath: string;
  /** The content: bytes, or chunks streamed to the temp file (never held in memory whole). */
  bytes: Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * Writes `bytes` to `filePath` atomically: temp file in the same directory (rename is atomic only
 * within one file system), write, fsync, rename over the target, fsync the directory (otherwise
 * the rename itself can be lost on power loss). On any failure the temp file is removed and a
 * `storage_unavailable` error names the path and the cause (disk full, permissions, …).
 */
export async function writeFileAtomic(filePath: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, options: WriteFileAtomicOptions = {}): Promise<void> {
  await writeFilesAtomic([{ filePath, bytes }], options);
}

/**
 * Writes several files with the same guarantees as `writeFileAtomic`, doing the independent steps
 * in parallel (temp writes, renames, directory syncs): an output image and its thumbnail cost the
 * latency of one write instead of two. Each file is atomic on its own; callers record the files
 * (in the database) only after this returns.
 */
export async function writeFilesAtomic(files: AtomicFile[], options: WriteFileAtomicOptions = {}): Promise<void> {
  const durable = options.durable ?? true;
  const directories = [...new Set(files.map((file) => path.dirname(file.filePath)))];
  const temporaryPaths = files.map((file) => path.join(path.dirname(file.filePath), `.${path.basename(file.filePath)}.${nextTemporaryTag()}${temporaryFileSuffix}`));
  let failedPath = files[0]?.filePath ?? '';
  try {
    if (options.createDirectories) await ensureDirectories(directories, options.knownDirectories);
    try {
      await Promise.all(files.map((file, index) => writeAndSync(temporaryPaths[index]!, file.bytes, durable)));
    } catch (error) {
      // A known directory that vanished (someone deleted a job's folder): recreate it once and retry.
      // A stream cannot be read twice, so only byte contents are retried.
      const retryable = files.every((file) => file.bytes instanceof Uint8Array);
      if (!retryable || !options.createDirectories || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      for (const directory of directories) options.knownDirectories?.delete(directory);
      await ensureDirectories(directories, options.knownDirectories);
      await Promise.all(files.map((file, index) => writeAndSync(temporaryPaths[index]!, file.bytes, durable)));
    }
    await Promise.all(
      files.map(async (file, index) => {
        failedPath = file.filePath;
        await rename(temporaryPaths[index]!, file.filePath);
      }),
    );
    if (durable) await Promise.all(directories.map((directory) => syncDirectory(directory)));
  } catch (error) {
    await Promise.all(temporaryPaths.map((temporaryPath) => rm(temporaryPath, { force: true }).catch(() => undefined)));
    throw writeFailure(failedPath, error);
  }
}

/** Random per process, so two processes sharing a data directory do not pick the same temp names. */
const processTag = randomBytes(4).toString('hex');
let temporaryCounter = 0;

/**
 * 16 hex digits unique within this process (a counter) and, with the random process tag, across
 * processes: the `wx` open would refuse a clash anyway. A counter instead of 8 random bytes per
 * file: the crypto call was a measurable part of the main thread's cost per output.
 */
function nextTemporaryTag(): string {
  temporaryCounter = (temporaryCounter + 1) >>> 0;
  return processTag + temporaryCounter.toString(16).padStart(8, '0');
}

// Callback-style fs calls, promisified: the FileHandle API of fs/promises costs several times more
// main-thread CPU per file, which capped engine throughput (docs/benchmarks.md).
const openFile = promisify(fs.open);
const writeBytes = promisify(fs.write);
const syncFile = promisify(fs.fsync);
// For file contents: flushes the data and the size, skips timestamps — all a reader after a crash needs.
const syncFileData = promisify(fs.fdatasync);
const closeFile = promisify(fs.close);

async function writeAndSync(filePath: string, content: Uint8Array | AsyncIterable<Uint8Array>, durable: boolean): Promise<void> {
  const descriptor = await openFile(filePath, 'wx');
  try {
    if (content instanceof Uint8Array) await writeAll(descriptor, content);
    else for await (const chunk of content) await writeAll(descriptor, chunk);
    if (durable) await syncFileData(descriptor);
  } finally {
    await closeFile(descriptor);
  }
}

async function writeAll(descriptor: number, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await writeBytes(descriptor, bytes, offset, bytes.byteLength - offset, null);
    offset += bytesWritten;
  }
}

async function ensureDirectories(directories: string[], knownDirectories: Set<string> | undefined): Promise<void> {
  await Promise.all(
    directories.map(async (directory) => {
      if (knownDirectories?.has(directory)) return;
      await createDirectoriesDurably(directory);
      knownDirectories?.add(directory);
    }),
  );
}

async function createDirectoriesDurably(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true });
  if (firstCreated === undefined) return;
  // Each new directory's entry lives in its parent: sync from the parent of the first one created down.
  const relative = path.relative(path.dirname(firstCreated), directory);
  let current = path.dirname(firstCreated);
  await syncDirectory(current);
  for (const segment of relative.split(path.sep)) {
    current = path.join(current, segment);
    await syncDirectory(current);
  }
}

/**
 * Directory syncs in progress or queued, per directory. A sync makes durable every rename done in
 * that directory before it started, so concurrent writers share syncs (group commit): while one
 * runs, later callers wait for the single next one. Sixteen outputs landing in one job folder cost
 * about two directory syncs instead of sixteen.
 */
const directorySyncs = new Map<string, { running: Promise<void>; next: Promise<void> | undefined }>();

function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return Promise.resolve();
  const state = directorySyncs.get(directory);
  if (!state) {
    const running = syncDirectoryNow(directory).finally(() => advanceDirectorySync(directory));
    directorySyncs.set(directory, { running, next: undefined });
    return running;
  }
  // The running sync may have started before our rename: wait for the next one.
  state.next ??= state.running.catch(() => undefined).then(() => {
    const running = syncDirectoryNow(directory).finally(() => advanceDirectorySync(directory));
    directorySyncs.set(directory, { running, next: undefined });
    return running;
  });
  return state.next;
}

function advanceDirectorySync(directory: string): void {
  const state = directorySyncs.get(directory);
  // Keep the entry while a queued sync is about to replace it; drop it when nothing waits.
  if (state && state.next === undefined) directorySyncs.delete(directory);
}

async function syncDirectoryNow(directory: string): Promise<void> {
  const descriptor = await openFile(directory, 'r');
  try {
    await syncFile(descriptor);
  } finally {
    await closeFile(descriptor);
  }
}

function writeFailure(filePath: string, error: unknown): ImagefleetError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason =
    code === 'ENOSPC' ? 'the disk is full; free space in the data directory and try again'
    : code === 'EDQUOT' ? 'the disk quota is exhausted; free space or raise the quota'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the directory is not writable; give this process write permission on the data directory'
    : `the file system refused the write (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)}); check the data directory`;
  return new ImagefleetError('storage_unavailable', `Could not write ${filePath}: ${reason}.`, { cause: error });
}
