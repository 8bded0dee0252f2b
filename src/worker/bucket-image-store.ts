/**
 * Uploads a worker's results to an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO…) and hands
 * back presigned GET URLs, as RunPod's own workers do (`BUCKET_ENDPOINT_URL` & co, objects at
 * `{jobId}/{random}.{ext}`, URLs valid 7 days). Signing is AWS Signature V4 through `aws4fetch`
 * (decisions/0016): small, dependency-free, fetch-based.
 */
import { randomUUID } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import type { WorkerBucketSettings } from '../config/config.js';
import { providerError } from '../providers/contract.js';
import { keptOutputObjectPath } from '../providers/runpod/worker-protocol.js';

/** Where the worker puts an image so the client can fetch it; returns the URL to fetch. */
export interface WorkerImageStore {
  store(jobId: string, bytes: Uint8Array, mediaType: string, signal: AbortSignal): Promise<string>;
  /**
   * Keeps the job's whole output beside its images (`<jobId>/output.json`), so an app that missed
   * RunPod's 30-minute result retention can still collect it instead of paying for the job again.
   */
  storeOutput(jobId: string, output: unknown, signal: AbortSignal): Promise<void>;
}

/** Longest validity of a SigV4 presigned URL (7 days), as RunPod's `rp_upload` uses. */
export const presignedUrlLifetimeSeconds = 604_800;

const uploadTimeoutMs = 120_000;

export function createBucketImageStore(settings: WorkerBucketSettings): WorkerImageStore {
  const client = new AwsClient({ accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, service: 's3', region: settings.region });
  // The endpoint URL names the bucket (path style), so objects go under its path.
  const base = settings.endpointUrl.replace(/\/+$/, '');
  const put = async (objectUrl: string, bytes: Uint8Array, mediaType: string, signal: AbortSignal): Promise<void> => {
    let response: Response;
    try {
      response = await client.fetch(objectUrl, {
        method: 'PUT',
        body: new Uint8Array(bytes),
        headers: { 'content-type': mediaType },
        signal: AbortSignal.any([signal, AbortSignal.timeout(uploadTimeoutMs)]),
      });
    } catch (error) {
      signal.throwIfAborted();
      throw providerError('transient', `Could not upload the result to the bucket at ${new URL(base).host}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      // A refused signature or a missing bucket will not fix itself; a 5xx may.
      const kind = response.status >= 500 || response.status === 429 ? 'transient' : 'paused';
      throw providerError(kind, `The bucket at ${new URL(base).host} refused the upload (HTTP ${response.status}); check BUCKET_ENDPOINT_URL, BUCKET_ACCESS_KEY_ID and BUCKET_SECRET_ACCESS_KEY on the worker. ${detail}`.trim());
    }
  };
  return {
    async store(jobId, bytes, mediaType, signal) {
      const extension = mediaType.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
      const objectUrl = `${base}/${encodeURIComponent(jobId)}/${randomUUID().slice(0, 8)}.${extension}`;
      await put(objectUrl, bytes, mediaType, signal);
      const presign = new URL(objectUrl);
      presign.searchParams.set('X-Amz-Expires', String(presignedUrlLifetimeSeconds));
      const signed = await client.sign(presign.toString(), { method: 'GET', aws: { signQuery: true } });
      return signed.url;
    },
    async storeOutput(jobId, output, signal) {
      await put(`${base}/${keptOutputObjectPath(jobId)}`, Buffer.from(JSON.stringify(output)), 'application/json', signal);
    },
  };
}

