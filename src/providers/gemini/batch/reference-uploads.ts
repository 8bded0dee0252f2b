/**
 * Reference images of batch requests go through the Files API, each distinct image once (by
 * SHA-256), however many requests use it: the batch file then carries short `fileData` references
 * instead of megabytes of base64 per line. Google keeps uploads 48 hours; an upload older than
 * `maxAgeMs` is made again for new requests.
 */
import { FileState, type GoogleGenAI } from '@google/genai';
import { providerError, type ProviderImageInput } from '../../contract.js';

export interface UploadedReference {
  fileUri: string;
  mimeType: string;
}

export interface ReferenceUploadsOptions {
  client: GoogleGenAI;
  now: () => number;
  /** Maps an SDK failure to a provider error. */
  mapError: (error: unknown, action: string) => Error;
  /** Reuse an upload for at most this long, ms. */
  maxAgeMs?: number;
  /** Wait between checks of a file that is still PROCESSING, ms. */
  processingCheckMs?: number;
}

const defaultMaxAgeMs = 46 * 60 * 60_000;
const processingChecks = 60;

interface CachedUpload {
  uploadedAtMs: number;
  upload: Promise<UploadedReference>;
}

export class ReferenceUploads {
  private readonly cache = new Map<string, CachedUpload>();
  /** Uploads made, for diagnostics and tests. */
  uploadCount = 0;

  constructor(private readonly options: ReferenceUploadsOptions) {}

  /** The Files API reference of this image, uploading it unless a recent upload of the same bytes exists. */
  uriFor(reference: ProviderImageInput): Promise<UploadedReference> {
    const nowMs = this.options.now();
    const cached = this.cache.get(reference.sha256);
    if (cached && nowMs - cached.uploadedAtMs < (this.options.maxAgeMs ?? defaultMaxAgeMs)) return cached.upload;
    const upload = this.upload(reference);
    this.cache.set(reference.sha256, { uploadedAtMs: nowMs, upload });
    // A failed upload is not remembered: the next request tries again.
    upload.catch(() => {
      if (this.cache.get(reference.sha256)?.upload === upload) this.cache.delete(reference.sha256);
    });
    return upload;
  }

  private async upload(reference: ProviderImageInput): Promise<UploadedReference> {
    const action = `uploading reference image ${reference.sha256.slice(0, 12)} to the Files API`;
    this.uploadCount += 1;
    try {
      let file = await this.options.client.files.upload({
        file: new Blob([Buffer.from(reference.bytes)], { type: reference.mediaType }),
        config: { mimeType: reference.mediaType, displayName: `imagefleet-reference-${reference.sha256.slice(0, 16)}` },
      });
      for (let check = 0; file.state === FileState.PROCESSING && check < processingChecks; check += 1) {
        await new Promise((resolve) => setTimeout(resolve, this.options.processingCheckMs ?? 1000));
        if (file.name) file = await this.options.client.files.get({ name: file.name });
      }
      if (file.state === FileState.FAILED || file.state === FileState.PROCESSING || !file.uri) throw providerError('transient', `The Files API could not take reference image ${reference.sha256.slice(0, 12)} (state ${file.state ?? 'unknown'}).`);
      return { fileUri: file.uri, mimeType: file.mimeType ?? reference.mediaType };
    } catch (error) {
      throw this.options.mapError(error, action);
    }
  }
}
