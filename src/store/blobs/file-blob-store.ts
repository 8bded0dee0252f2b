/**
 * `BlobStore` on the local file system, under one root directory (the data directory's blob root).
 *
 * Layout:
 * - `assets/<sha256[0..2]>/<sha256>.<ext>` — content-addressed, so re-uploading dedupes;
 * - `outputs/<jobId>/<taskId>-<index>.<ext>` — named by task, so a retried task overwrites;
 * - `thumbnails/<jobId>/<taskId>-<index>.webp` — made once when the output is written;
 * - `asset-thumbnails/<sha256[0..2]>/<sha256>.webp` — made on first request (references have no
 *   thumbnail at upload time, and most are never shown in a picker).
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ImagefleetError, invalidInput } from '../../core/errors.js';
import type { BlobStore } from '../../engine/ports.js';
import { writeFileAtomic, writeFilesAtomic } from './write-file-atomic.js';

/** Thumbnails fit inside this square, in pixels. */
export const thumbnailMaxSidePixels = 384;

/** WebP quality of thumbnails: small files, good enough for a grid. */
export const thumbnailWebpQuality = 75;

/** libwebp effort (0–6, default 4): 2 costs 12–33% less CPU per thumbnail at the same size (measured). */
export const thumbnailWebpEffort = 2;

const extensionByMediaType: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

// Ids become path segments; anything beyond this alphabet could change the path's meaning.
const safeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const sha256Pattern = /^[0-9a-f]{64}$/;

export class FileBlobStore implements BlobStore {
  /** Absolute root every key resolves under. */
  readonly rootDirectory: string;
  /** Output directories already created (one per job), so writes skip `mkdir`. */
  private readonly knownDirectories = new Set<string>();

  constructor(rootDirectory: string) {
    this.rootDirectory = path.resolve(rootDirectory);
  }

  /**
   * Stores asset bytes under their SHA-256 (lowercase hex; checked against the bytes). Idempotent:
   * when the file is already there it is not rewritten.
   */
  async putAsset(sha256: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    if (!sha256Pattern.test(sha256)) {
      throw invalidInput([{ path: 'sha256', message: 'must be 64 lowercase hexadecimal characters' }], 'Invalid asset hash');
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      throw invalidInput([{ path: 'sha256', message: `does not match the bytes (their SHA-256 is ${actual})` }], 'Invalid asset hash');
    }
    const key = `assets/${sha256.slice(0, 2)}/${sha256}.${extensionFor(mediaType)}`;
    const filePath = this.pathOf(key);
    if (await isFile(filePath)) return key;
    await writeFileAtomic(filePath, bytes, { createDirectories: true });
    return key;
  }

  /**
   * Writes a task output and its WebP thumbnail. The thumbnail is made first, so bytes that do not
   * decode are refused (`invalid_input`) before anything is written.
   */
  async putOutput(input: { jobId: string; taskId: string; index: number; bytes: Uint8Array; mediaType: string }): Promise<{ fileKey: string; thumbnailKey: string; byteSize: number }> {
    const { jobId, taskId, index, bytes, mediaType } = input;
    const issues = [
      ...(safeIdPattern.test(jobId) ? [] : [{ path: 'jobId', message: 'must be 1–128 letters, digits, "-" or "_"' }]),
      ...(safeIdPattern.test(taskId) ? [] : [{ path: 'taskId', message: 'must be 1–128 letters, digits, "-" or "_"' }]),
      ...(Number.isSafeInteger(index) && index >= 0 ? [] : [{ path: 'index', message: 'must be a non-negative integer' }]),
    ];
    if (issues.length > 0) throw invalidInput(issues, 'Invalid output location');
    const extension = extensionFor(mediaType);

    const thumbnail = await makeThumbnail(bytes, `task ${taskId} image ${index}`);
    const fileKey = `outputs/${jobId}/${taskId}-${index}.${extension}`;
    const thumbnailKey = `thumbnails/${jobId}/${taskId}-${index}.webp`;
    await writeFilesAtomic(
      [
        { filePath: this.pathOf(fileKey), bytes },
        { filePath: this.pathOf(thumbnailKey), bytes: thumbnail },
      ],
      { createDirectories: true, knownDirectories: this.knownDirectories },
    );
    return { fileKey, thumbnailKey, byteSize: bytes.byteLength };
  }

  /**
   * The WebP thumbnail of a stored asset, made from its blob on first use and kept beside it
   * (content-addressed like the asset, so it never goes stale). Returns the thumbnail's key.
   */
  async assetThumbnail(sha256: string, assetKey: string): Promise<string> {
    if (!sha256Pattern.test(sha256)) {
      throw invalidInput([{ path: 'sha256', message: 'must be 64 lowercase hexadecimal characters' }], 'Invalid asset hash');
    }
    const key = `asset-thumbnails/${sha256.slice(0, 2)}/${sha256}.webp`;
    const filePath = this.pathOf(key);
    if (await isFile(filePath)) return key;
    const thumbnail = await makeThumbnail(await this.read(assetKey), `asset ${sha256.slice(0, 12)}`);
    // Two first requests at once both write the same bytes; the atomic rename makes that harmless.
    await writeFileAtomic(filePath, thumbnail, { createDirectories: true });
    return key;
  }

  /** Reads a whole blob; `not_found` when it does not exist. */
  async read(key: string): Promise<Uint8Array> {
    const filePath = this.pathOf(key);
    try {
      return await readFile(filePath);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') throw new ImagefleetError('not_found', `Blob ${key} does not exist.`, { cause: error });
      throw new ImagefleetError('storage_unavailable', `Could not read ${filePath} (${String(code ?? error)}); check the data directory.`, { cause: error });
    }
  }

  /** Removes the output and thumbnail folders of a job; nothing happens when they do not exist. */
  async deleteJobFiles(jobId: string): Promise<void> {
    if (!safeIdPattern.test(jobId)) throw invalidInput([{ path: 'jobId', message: 'must be 1–128 letters, digits, "-" or "_"' }], 'Invalid job id');
    for (const folder of [`outputs/${jobId}`, `thumbnails/${jobId}`]) {
      const folderPath = this.pathOf(folder);
      this.knownDirectories.delete(folderPath);
      try {
        await rm(folderPath, { recursive: true, force: true });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new ImagefleetError('storage_unavailable', `Could not remove ${folderPath} (${String(code ?? error)}); check the data directory.`, { cause: error });
      }
    }
  }

  async deleteOutputs(keys: string[]): Promise<void> {
    for (const key of keys) {
      if (!key.startsWith('outputs/') && !key.startsWith('thumbnails/')) throw invalidInput([{ path: 'key', message: 'must be an output or thumbnail key' }], 'Invalid output key');
      await rm(this.pathOf(key), { force: true });
    }
  }

  /**
   * Absolute path of a key. Refuses (`invalid_input`) keys that are empty, absolute, contain `..`,
   * backslashes, NUL or empty/`.` segments, and asserts the result stays under the root, so a key
   * taken from a request can never reach another file.
   */
  pathOf(key: string): string {
    const refuse = (why: string): ImagefleetError => invalidInput([{ path: 'key', message: why }], 'Invalid blob key');
    if (typeof key !== 'string' || key.length === 0) throw refuse('is empty');
    if (key.includes('\0')) throw refuse('contains a NUL character');
    if (key.includes('\\')) throw refuse('contains a backslash');
    if (key.includes('..')) throw refuse('contains ".."');
    if (path.posix.isAbsolute(key) || path.win32.isAbsolute(key) || /^[A-Za-z]:/.test(key)) throw refuse('is absolute');
    if (key.split('/').some((segment) => segment === '' || segment === '.')) throw refuse('has an empty or "." segment');
    const resolved = path.resolve(this.rootDirectory, key);
    if (!resolved.startsWith(this.rootDirectory + path.sep)) throw refuse('resolves outside the blob root');
    return resolved;
  }
}

/** File extension for a stored image media type; `invalid_input` for types imagefleet does not store. */
export function extensionFor(mediaType: string): string {
  const extension = extensionByMediaType[mediaType.toLowerCase()];
  if (extension === undefined) {
    throw invalidInput([{ path: 'mediaType', message: `"${mediaType}" is not a stored image type (${Object.keys(extensionByMediaType).join(', ')})` }], 'Unsupported media type');
  }
  return extension;
}

async function makeThumbnail(bytes: Uint8Array, label: string): Promise<Buffer> {
  try {
    return await sharp(bytes)
      .rotate() // honour EXIF orientation before the metadata is dropped
      .resize(thumbnailMaxSidePixels, thumbnailMaxSidePixels, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: thumbnailWebpQuality, effort: thumbnailWebpEffort })
      .toBuffer();
  } catch (error) {
    throw invalidInput([{ path: 'bytes', message: `the image of ${label} cannot be decoded (${error instanceof Error ? error.message : String(error)})` }], 'Undecodable output image');
  }
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).isFile();
  } catch {
    return false;
  }
}
