/**
 * How blobs are named (DESIGN §7, §9): the keys every blob adapter stores under, whatever it is (a
 * folder of files, an S3 bucket). Pure: no I/O. The file adapter maps a key to a path under its root
 * one to one, so these names are also the on-disk layout of existing data directories and must not
 * change:
 *
 * - `assets/<sha256[0..2]>/<sha256>.<ext>` — content-addressed, so re-uploading dedupes;
 * - `outputs/<jobId>/<taskId>-<index>.<ext>` — named by task, so a retried task overwrites;
 * - `thumbnails/<jobId>/<taskId>-<index>.webp` — made once when the output is written;
 * - `asset-thumbnails/<sha256[0..2]>/<sha256>.webp` — made on first request (references have no
 *   thumbnail at upload time, and most are never shown in a picker).
 */
import { invalidInput, type ImagefleetError } from './errors.js';

const extensionByMediaType: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

// Ids become key segments; anything beyond this alphabet could change the key's meaning.
const safeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const sha256Pattern = /^[0-9a-f]{64}$/;
const safeIdMessage = 'must be 1–128 letters, digits, "-" or "_"';

/** File extension for a stored image media type; `invalid_input` for types imagefleet does not store. */
export function extensionFor(mediaType: string): string {
  const extension = extensionByMediaType[mediaType.toLowerCase()];
  if (extension === undefined) {
    throw invalidInput([{ path: 'mediaType', message: `"${mediaType}" is not a stored image type (${Object.keys(extensionByMediaType).join(', ')})` }], 'Unsupported media type');
  }
  return extension;
}

/** Key of an asset's bytes, from the SHA-256 of those bytes (64 lowercase hex characters). */
export function assetBlobKey(sha256: string, mediaType: string): string {
  checkSha256(sha256);
  return `assets/${sha256.slice(0, 2)}/${sha256}.${extensionFor(mediaType)}`;
}

/** Key of an asset's WebP thumbnail (content-addressed like the asset, so it never goes stale). */
export function assetThumbnailKey(sha256: string): string {
  checkSha256(sha256);
  return `asset-thumbnails/${sha256.slice(0, 2)}/${sha256}.webp`;
}

/** Where one output image of a task goes. */
export interface OutputLocation {
  jobId: string;
  taskId: string;
  /** Position of the image in the task's reply, from 0. */
  index: number;
  /** Media type of the image bytes (decides the extension). */
  mediaType: string;
}

/** The keys of an output image and of its thumbnail; `invalid_input` for ids that are not safe key segments. */
export function outputBlobKeys(location: OutputLocation): { fileKey: string; thumbnailKey: string } {
  const { jobId, taskId, index, mediaType } = location;
  const issues = [
    ...(safeIdPattern.test(jobId) ? [] : [{ path: 'jobId', message: safeIdMessage }]),
    ...(safeIdPattern.test(taskId) ? [] : [{ path: 'taskId', message: safeIdMessage }]),
    ...(Number.isSafeInteger(index) && index >= 0 ? [] : [{ path: 'index', message: 'must be a non-negative integer' }]),
  ];
  if (issues.length > 0) throw invalidInput(issues, 'Invalid output location');
  const extension = extensionFor(mediaType);
  return { fileKey: `outputs/${jobId}/${taskId}-${index}.${extension}`, thumbnailKey: `thumbnails/${jobId}/${taskId}-${index}.webp` };
}

/** The key prefixes holding every output and thumbnail of a job (each ends with "/"). */
export function jobBlobPrefixes(jobId: string): string[] {
  if (!safeIdPattern.test(jobId)) throw invalidInput([{ path: 'jobId', message: safeIdMessage }], 'Invalid job id');
  return [`outputs/${jobId}/`, `thumbnails/${jobId}/`];
}

/** Whether a key names an output image or its thumbnail (the only blobs removed one by one). */
export function isOutputKey(key: string): boolean {
  return key.startsWith('outputs/') || key.startsWith('thumbnails/');
}

/**
 * Refuses (`invalid_input`) keys that are empty, absolute, contain `..`, backslashes, NUL or
 * empty/`.` segments, so a key taken from a request can never reach another blob (or, for files,
 * another file). Every adapter checks keys with this before using them.
 */
export function checkBlobKey(key: string): void {
  const refuse = (why: string): ImagefleetError => invalidInput([{ path: 'key', message: why }], 'Invalid blob key');
  if (typeof key !== 'string' || key.length === 0) throw refuse('is empty');
  if (key.includes('\0')) throw refuse('contains a NUL character');
  if (key.includes('\\')) throw refuse('contains a backslash');
  if (key.includes('..')) throw refuse('contains ".."');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw refuse('is absolute');
  if (key.split('/').some((segment) => segment === '' || segment === '.')) throw refuse('has an empty or "." segment');
}

/** Like `checkBlobKey` for a prefix: a key prefix ending with "/" (the trailing "/" is not an empty segment). */
export function checkBlobPrefix(prefix: string): void {
  if (!prefix.endsWith('/')) throw invalidInput([{ path: 'prefix', message: 'must end with "/"' }], 'Invalid blob prefix');
  checkBlobKey(prefix.slice(0, -1));
}

function checkSha256(sha256: string): void {
  if (!sha256Pattern.test(sha256)) throw invalidInput([{ path: 'sha256', message: 'must be 64 lowercase hexadecimal characters' }], 'Invalid asset hash');
}
