/**
 * The `output` of a `COMPLETED` RunPod job as a generation result: images decoded from base64 or
 * downloaded from the worker's bucket (presigned URLs: no RunPod key is sent there), and the cost
 * — what the worker's provider charged plus RunPod's compute for the job's execution time.
 */
import { providerError, type GenerateResult, type GeneratedImageOutput } from '../contract.js';
import { workerJobOutputSchema, type WorkerImageOutput } from './worker-protocol.js';

export interface ReadOutputSettings {
  /** RunPod compute price, USD per second of execution. */
  pricePerSecondUsd: number;
  /** Longest wait for one image download, ms. */
  downloadTimeoutMs: number;
}

export async function readWorkerOutput(output: unknown, executionTimeMs: number | undefined, jobId: string, signal: AbortSignal, settings: ReadOutputSettings): Promise<GenerateResult> {
  const parsed = workerJobOutputSchema.safeParse(output);
  if (!parsed.success) {
    throw providerError(
      'invalid',
      `RunPod job ${jobId} completed, but its output is not imagefleet's worker format (${parsed.error.issues[0]?.message ?? 'unreadable'}): is RUNPOD_ENDPOINT_ID running imagefleet's worker image?`,
    );
  }
  const images = await Promise.all(parsed.data.images.map((image, index) => readImage(image, index, signal, settings)));
  const computeUsd = executionTimeMs === undefined ? 0 : (Math.max(0, executionTimeMs) / 1000) * settings.pricePerSecondUsd;
  return {
    images,
    warnings: parsed.data.warnings,
    requestId: parsed.data.requestId ?? jobId,
    costUsd: (parsed.data.costUsd ?? 0) + computeUsd,
  };
}

async function readImage(image: WorkerImageOutput, index: number, signal: AbortSignal, settings: ReadOutputSettings): Promise<GeneratedImageOutput> {
  const bytes = image.base64 !== undefined ? new Uint8Array(Buffer.from(image.base64, 'base64')) : await download(image.url ?? '', index, signal, settings);
  return { bytes, mediaType: image.mediaType, width: image.width, height: image.height, ...(image.seed === undefined ? {} : { seed: image.seed }) };
}

async function download(url: string, index: number, signal: AbortSignal, settings: ReadOutputSettings): Promise<Uint8Array> {
  const host = URL.canParse(url) ? new URL(url).host : 'an invalid URL';
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(settings.downloadTimeoutMs)]) });
  } catch (error) {
    signal.throwIfAborted();
    throw providerError('transient', `Could not download image ${index + 1} from ${host}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw providerError('transient', `Could not download image ${index + 1} from ${host}: HTTP ${response.status}.`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
