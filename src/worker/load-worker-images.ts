/**
 * Turns the images of a worker job (references and mask, inline or by URL) into the bytes the
 * provider contract takes. URLs are fetched with a timeout and a size cap; a declared SHA-256 is
 * checked, so a swapped or truncated download fails instead of generating from the wrong image.
 */
import { createHash } from 'node:crypto';
import { providerError, type ProviderImageInput } from '../providers/contract.js';
import type { WorkerImageSource } from '../providers/runpod/worker-protocol.js';
import { sniffType } from '../server/uploads/sniff-type.js';

export interface ImageDownloadSettings {
  /** Longest wait for one download, ms. */
  timeoutMs: number;
  /** Largest image accepted, bytes. */
  maxBytes: number;
}

export const defaultImageDownloadSettings: ImageDownloadSettings = { timeoutMs: 60_000, maxBytes: 50 * 1024 * 1024 };

/** Loads one image source; `label` names it in messages ("reference 2"). */
export async function loadWorkerImage(source: WorkerImageSource, label: string, signal: AbortSignal, settings = defaultImageDownloadSettings): Promise<ProviderImageInput> {
  const bytes = source.base64 !== undefined ? decodeBase64(source.base64, label) : await download(source.url ?? '', label, signal, settings);
  if (bytes.length > settings.maxBytes) throw providerError('invalid', `${label} is ${bytes.length} bytes; the worker takes at most ${settings.maxBytes}.`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (source.sha256 !== undefined && source.sha256 !== sha256) {
    throw providerError('invalid', `${label} does not match its sha256 (got ${sha256.slice(0, 12)}…, expected ${source.sha256.slice(0, 12)}…).`);
  }
  const sniffed = sniffType(bytes.subarray(0, 32));
  const mediaType = sniffed !== undefined && sniffed !== 'zip' ? `image/${sniffed}` : source.mediaType;
  if (mediaType === undefined) throw providerError('invalid', `${label} is not an image the worker recognises (PNG, JPEG, WebP, AVIF, HEIC, GIF, TIFF).`);
  return { bytes, mediaType, sha256 };
}

function decodeBase64(text: string, label: string): Uint8Array {
  // Data URLs are accepted too: people paste them into test inputs.
  const payload = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(payload)) throw providerError('invalid', `${label} is not valid base64.`);
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

async function download(url: string, label: string, signal: AbortSignal, settings: ImageDownloadSettings): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]), redirect: 'follow' });
  } catch (error) {
    signal.throwIfAborted();
    throw providerError('transient', `Could not download ${label} from ${hostOf(url)}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const kind = response.status >= 500 || response.status === 429 || response.status === 408 ? 'transient' : 'invalid';
    throw providerError(kind, `Could not download ${label} from ${hostOf(url)}: HTTP ${response.status}.`);
  }
  const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declaredLength > settings.maxBytes) {
    await response.body?.cancel();
    throw providerError('invalid', `${label} at ${hostOf(url)} is ${declaredLength} bytes; the worker takes at most ${settings.maxBytes}.`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (chunk === undefined || chunk.done) break;
    total += chunk.value.length;
    if (total > settings.maxBytes) {
      await reader?.cancel();
      throw providerError('invalid', `${label} at ${hostOf(url)} is larger than ${settings.maxBytes} bytes.`);
    }
    chunks.push(chunk.value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Only the host goes into messages: a presigned URL's query is a credential. */
function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : 'an invalid URL';
}
