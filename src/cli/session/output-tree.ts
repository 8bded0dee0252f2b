/**
 * The session's output folder: each completed image placed at its `--layout` path, and the session
 * log under `.sessions/`. Placing is atomic and never overwrites a different file:
 *
 * - the file is hard-linked from the data store when both are on one file system (no copy, and the
 *   stored image is never written again, so the link keeps its bytes), else copied to a temporary
 *   name, synced and linked into place;
 * - `link` fails when the name exists, so two writers (two processes resuming one session) cannot
 *   clobber each other; an existing file with the same content is the image already placed, and
 *   one with other content makes the name taken: `name-2.png`, `name-3.png`, …
 *
 * Exporting again (resume, status refresh) therefore finds every image where it was put. Every path
 * is checked to resolve inside the output folder, also through links already in it.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ImagefleetError } from '../../core/errors.js';
import type { GeneratedImage } from '../../core/image.js';
import type { Job } from '../../core/job.js';
import { numberedPath, renderPathTemplate, withImageExtension, type PathTemplate } from '../../core/path-template.js';
import { formatSessionJobId, sessionJobIdWidth, sessionLogFileName, sessionLogFolder, type SessionLog } from '../../core/session-log.js';
import type { Task } from '../../core/task.js';
import { extensionFor } from '../../core/blob-keys.js';
import type { BlobStore } from '../../engine/ports.js';
import { writeFileAtomic } from '../../platform/write-file-atomic.js';

/** Most numbered alternatives tried for one name before giving up. */
const maxNameAttempts = 10_000;

/** Layout variables every image has, besides its task's captured ones. */
export const layoutBuiltinNames = ['combo', 'prompt_id', 'set', 'index', 'session', 'seq', 'timestamp', 'date', 'size', 'aspect', 'seed', 'ext', 'image', 'provider', 'model'];

/** The variables `--layout` is rendered with for one image. */
export function layoutVariables(input: { sessionId: string; job: Pick<Job, 'provider' | 'model' | 'settings'>; task: Pick<Task, 'ordinal' | 'variables' | 'seed'>; taskCount: number; image: Pick<GeneratedImage, 'index' | 'seed' | 'mediaType' | 'createdAtMs'> }): Record<string, string> {
  const { task, image, job } = input;
  // An upgrade keeps the sequence number of the image it upgrades, so both sit side by side.
  const sourceOrdinal = task.variables.source_ordinal === undefined ? undefined : Number(task.variables.source_ordinal);
  const ordinal = sourceOrdinal !== undefined && Number.isInteger(sourceOrdinal) && sourceOrdinal >= 0 ? sourceOrdinal : task.ordinal;
  const iso = new Date(image.createdAtMs).toISOString();
  const seed = image.seed ?? task.seed;
  return {
    ...task.variables,
    session: input.sessionId,
    seq: formatSessionJobId(ordinal, sessionJobIdWidth(Math.max(input.taskCount, ordinal + 1))),
    timestamp: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`,
    date: iso.slice(0, 10),
    size: job.settings.size,
    aspect: job.settings.aspectRatio.replace(':', 'x'),
    seed: seed === undefined ? 'noseed' : String(seed),
    ext: extensionFor(image.mediaType),
    image: String(image.index),
    provider: job.provider,
    model: job.model,
  };
}

export class OutputTree {
  private realRoot: string | undefined;

  constructor(
    /** Absolute output folder. */
    readonly root: string,
    private readonly layout: PathTemplate,
  ) {}

  /** Path of the session log. */
  logPath(sessionId: string): string {
    return path.join(this.root, sessionLogFolder, sessionLogFileName(sessionId));
  }

  /** Writes the session log atomically (temp, fsync, rename). */
  async writeLog(log: SessionLog): Promise<void> {
    await writeFileAtomic(this.logPath(log.session_id), new TextEncoder().encode(`${JSON.stringify(log, null, 2)}\n`), { createDirectories: true });
  }

  /**
   * Places a stored image (by its blob key) under its layout path, like `place`. The blob is
   * materialized as a local file: with file blobs that is the stored file itself, so it is
   * hard-linked as before; a remote store downloads it to a temporary file first, which is copied.
   */
  async placeBlob(blobs: BlobStore, key: string, variables: Readonly<Record<string, string>>): Promise<string> {
    const materialized = await blobs.materialize(key);
    try {
      return await this.place(materialized.filePath, variables);
    } finally {
      await materialized.release();
    }
  }

  /**
   * Places the image stored at `sourcePath` under its layout path; returns the path relative to
   * the output folder it ended up at (the same one every time for the same image).
   */
  async place(sourcePath: string, variables: Readonly<Record<string, string>>): Promise<string> {
    const wanted = withImageExtension(renderPathTemplate(this.layout, variables), variables.ext ?? 'png');
    const source = await stat(sourcePath);
    for (let attempt = 1; attempt <= maxNameAttempts; attempt += 1) {
      const relative = numberedPath(wanted, attempt);
      const target = await this.resolveInside(relative);
      const existing = await lstatOrUndefined(target);
      if (existing) {
        if (await sameContent(sourcePath, source, target, existing)) return relative;
        continue;
      }
      const placed = await placeFile(sourcePath, source, target);
      if (placed === 'placed') return relative;
      if (placed === 'same') return relative;
      // Someone else took the name between our check and our link: try the next name.
    }
    throw new ImagefleetError('conflict', `Could not find a free name for ${wanted} in ${this.root} after ${maxNameAttempts} tries; change --layout so names differ.`);
  }

  /** Absolute path of `relative`, after checking it (and the folder it lands in) stays inside the root. */
  private async resolveInside(relative: string): Promise<string> {
    const target = path.resolve(this.root, relative);
    if (!target.startsWith(this.root + path.sep)) {
      throw new ImagefleetError('internal', `The layout produced ${JSON.stringify(relative)}, which leaves ${this.root}.`);
    }
    const folder = path.dirname(target);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw outputError(folder, error);
    }
    this.realRoot ??= await realpath(this.root);
    const realFolder = await realpath(folder);
    if (realFolder !== this.realRoot && !realFolder.startsWith(this.realRoot + path.sep)) {
      throw new ImagefleetError('conflict', `Refusing to write into ${folder}: it is a link that leads outside --out (${this.root}); remove the link.`);
    }
    return target;
  }
}

/** Links (or copies) `sourcePath` to `target` without ever replacing an existing file. */
async function placeFile(sourcePath: string, source: Stats, target: string): Promise<'placed' | 'same' | 'taken'> {
  try {
    await link(sourcePath, target);
    return 'placed';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return (await sameContentAt(sourcePath, source, target)) ? 'same' : 'taken';
    // Another file system (EXDEV), no hard links there (EPERM, ENOTSUP, EMLINK), or a protected
    // source: copy instead.
    if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EACCES', 'ENOSYS'].includes(code ?? '')) throw outputError(target, error);
  }
  const temporary = path.join(path.dirname(target), `.${path.basename(target).slice(0, 200)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    // A reflink where the file system has them (a copy-on-write clone), else a plain copy.
    await copyFile(sourcePath, temporary, constants.COPYFILE_FICLONE);
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, target);
      return 'placed';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return (await sameContentAt(sourcePath, source, target)) ? 'same' : 'taken';
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'].includes(code ?? '')) throw error;
      // No hard links at all on this file system: rename, after making sure the name is still free.
      if (await lstatOrUndefined(target)) return (await sameContentAt(sourcePath, source, target)) ? 'same' : 'taken';
      await rename(temporary, target);
      return 'placed';
    }
  } catch (error) {
    throw outputError(target, error);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function sameContentAt(sourcePath: string, source: Stats, target: string): Promise<boolean> {
  const existing = await lstatOrUndefined(target);
  return existing !== undefined && (await sameContent(sourcePath, source, target, existing));
}

/** Same inode (a link we made), or same size and bytes (a copy we made). */
async function sameContent(sourcePath: string, source: Stats, targetPath: string, target: Stats): Promise<boolean> {
  if (!target.isFile()) return false;
  if (source.dev === target.dev && source.ino === target.ino) return true;
  if (source.size !== target.size) return false;
  const [left, right] = await Promise.all([open(sourcePath, 'r'), open(targetPath, 'r')]);
  try {
    const chunk = 1 << 20;
    const leftBuffer = Buffer.alloc(chunk);
    const rightBuffer = Buffer.alloc(chunk);
    for (let position = 0; position < source.size; position += chunk) {
      const [leftRead, rightRead] = await Promise.all([left.read(leftBuffer, 0, chunk, position), right.read(rightBuffer, 0, chunk, position)]);
      if (leftRead.bytesRead !== rightRead.bytesRead) return false;
      if (!leftBuffer.subarray(0, leftRead.bytesRead).equals(rightBuffer.subarray(0, rightRead.bytesRead))) return false;
      if (leftRead.bytesRead === 0) break;
    }
    return true;
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
}

async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw outputError(target, error);
  }
}

function outputError(target: string, error: unknown): ImagefleetError {
  if (error instanceof ImagefleetError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC' ? 'the disk is full; free space and run "imagefleet resume"'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the folder is not writable; choose another --out or fix its permissions'
    : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way of a folder; move it or choose another --out'
    : `the file system said ${code ?? String(error)}`;
  return new ImagefleetError('storage_unavailable', `Could not write ${target}: ${reason}.`, { cause: error });
}
