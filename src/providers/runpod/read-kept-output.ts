/**
 * The app's side of results kept in the bucket: a job RunPod no longer has (its 30-minute result
 * retention passed while the app was down) may still have its output in the worker's bucket, and
 * collecting it there means the job is not run and paid for a second time.
 */
import { AwsClient } from 'aws4fetch';
import type { WorkerBucketSettings } from './worker-bucket-settings.js';
import { providerError } from '../contract.js';
import { keptOutputObjectPath } from './worker-protocol.js';

const readTimeoutMs = 60_000;

/** The job's kept output, or undefined when the bucket has none (the worker never finished it). */
export async function readKeptOutput(settings: WorkerBucketSettings, jobId: string, signal: AbortSignal): Promise<unknown> {
  const client = new AwsClient({ accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, service: 's3', region: settings.region });
  const base = settings.endpointUrl.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await client.fetch(`${base}/${keptOutputObjectPath(jobId)}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(readTimeoutMs)]) });
  } catch (error) {
    signal.throwIfAborted();
    throw providerError('transient', `Could not read job ${jobId}'s kept output from the bucket at ${new URL(base).host}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  // S3 answers 403 for a missing object when the key may not list the bucket.
  if (response.status === 404 || response.status === 403) return undefined;
  if (!response.ok) throw providerError('transient', `The bucket at ${new URL(base).host} answered HTTP ${response.status} when reading job ${jobId}'s kept output.`);
  return (await response.json()) as unknown;
}
