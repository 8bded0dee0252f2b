/**
 * The worker image's job handler (issue 9): one generation request in, images out. It runs the
 * request with a provider from the same registry the app builds (`gemini`, `local`, and whatever
 * else `createFleet` registers), so the worker and the app share every line of provider code.
 * Images go back inline (base64) while they fit RunPod's result limit, or as presigned URLs when a
 * bucket is configured.
 */
import { isImagefleetError, toImagefleetError, type ImagefleetError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { findModel, providerError, type ProviderFailureKind } from '../providers/contract.js';
import type { ProviderRegistry } from '../providers/registry.js';
import {
  workerJobInputSchema,
  workerProtocolVersion,
  type WorkerImageOutput,
  type WorkerJobError,
  type WorkerJobOutput,
} from '../providers/runpod/worker-protocol.js';
import type { WorkerImageStore } from './bucket-image-store.js';
import { loadWorkerImage } from './load-worker-images.js';

export interface WorkerJobContext {
  providers: ProviderRegistry;
  /** Set when a bucket is configured: every image is uploaded and returned by URL. */
  imageStore?: WorkerImageStore | undefined;
  /** Most base64 bytes of images returned inline (RunPod's result body is capped near 20 MB). */
  inlineMaxBytes: number;
  logger: Logger;
}

/** What the handler answers: the output of a completed job, or the error of a failed one. */
export type WorkerJobAnswer = { output: WorkerJobOutput } | { error: WorkerJobError };

/** Runs one RunPod job (`jobId` names uploaded objects). Never throws: failures become `{ error }`. */
export async function handleWorkerJob(jobId: string, rawInput: unknown, signal: AbortSignal, context: WorkerJobContext): Promise<WorkerJobAnswer> {
  try {
    return { output: await runJob(jobId, rawInput, signal, context) };
  } catch (thrown) {
    const error = toImagefleetError(thrown);
    const kind = failureKindOf(error);
    if (!isImagefleetError(thrown)) context.logger.warn({ jobId, error: error.message }, 'Unexpected error in a worker job; reported as transient.');
    context.logger.info({ jobId, kind }, `Worker job failed: ${error.message}`);
    return { error: { imagefleetError: { kind, message: error.message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) } } };
  }
}

async function runJob(jobId: string, rawInput: unknown, signal: AbortSignal, context: WorkerJobContext): Promise<WorkerJobOutput> {
  const parsed = workerJobInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
    throw providerError('invalid', `The worker job input is not valid: ${issues}.`);
  }
  const input = parsed.data;
  if (input.provider === 'runpod') throw providerError('invalid', 'The worker cannot send a job to RunPod itself: name the provider it should run (gemini, local, …).');
  const provider = context.providers.get(input.provider);
  const model = findModel(provider, input.model);

  const references = await Promise.all(input.references.map((source, index) => loadWorkerImage(source, `reference ${index + 1}`, signal)));
  const mask = input.mask === undefined ? undefined : await loadWorkerImage(input.mask, 'mask', signal);
  const result = await provider.generate({
    modelId: model.modelId,
    taskKey: input.taskKey,
    prompt: input.prompt,
    references,
    mask,
    n: input.n,
    size: input.size,
    aspectRatio: input.aspectRatio,
    seed: input.seed,
    negativePrompt: input.negativePrompt,
    loras: input.loras,
    strength: input.strength,
    providerOptions: input.providerOptions,
    signal,
  });
  if (result.images.length === 0) throw providerError('transient', 'The provider replied without an image.');

  const images: WorkerImageOutput[] = [];
  let inlineBytes = 0;
  for (const [index, image] of result.images.entries()) {
    const seed = image.seed ?? (input.seed === undefined ? undefined : (input.seed + index) % 2 ** 32);
    const described = { mediaType: image.mediaType, width: image.width, height: image.height, ...(seed === undefined ? {} : { seed }) };
    if (context.imageStore) {
      images.push({ ...described, url: await context.imageStore.store(jobId, image.bytes, image.mediaType, signal) });
      continue;
    }
    const base64 = Buffer.from(image.bytes).toString('base64');
    inlineBytes += base64.length;
    if (inlineBytes > context.inlineMaxBytes) {
      throw providerError(
        'invalid',
        `The ${result.images.length} images (over ${inlineBytes} bytes as base64) pass the worker's inline result limit of ${context.inlineMaxBytes} bytes (RunPod refuses results near 20 MB). Set BUCKET_ENDPOINT_URL, BUCKET_ACCESS_KEY_ID and BUCKET_SECRET_ACCESS_KEY on the endpoint, or ask for fewer or smaller images.`,
      );
    }
    images.push({ ...described, base64 });
  }
  const tablePrice = model.pricePerImageUsd[input.size]?.online;
  const costUsd = result.costUsd ?? (tablePrice === undefined ? undefined : tablePrice * result.images.length);
  const output: WorkerJobOutput = {
    protocol: workerProtocolVersion,
    provider: provider.id,
    model: model.modelId,
    images,
    warnings: result.warnings,
    ...(costUsd === undefined ? {} : { costUsd }),
    ...(result.requestId === undefined ? {} : { requestId: result.requestId }),
  };
  // Kept beside the images, so the app can still collect a result RunPod has already deleted.
  await context.imageStore?.storeOutput(jobId, output, signal);
  return output;
}

/** The engine class a worker failure stands for, so the client classifies it like the app would. */
function failureKindOf(error: ImagefleetError): ProviderFailureKind {
  switch (error.code) {
    case 'provider_rate_limited':
      return 'rate_limited';
    case 'provider_blocked':
      return 'blocked';
    case 'provider_paused':
      return 'paused';
    case 'provider_invalid':
    case 'invalid_input':
    case 'not_found':
      return 'invalid';
    default:
      return 'transient';
  }
}
