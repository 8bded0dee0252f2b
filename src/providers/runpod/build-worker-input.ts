/**
 * A generation request as the body of `POST /run`: the worker input (prompt, settings, images
 * inline as base64 with their SHA-256) and the job's execution policy. RunPod takes at most 10 MB
 * on /run; a body over the limit is refused here, before anything is sent or paid, with a clear
 * message — the app cannot yet hand the worker reference URLs it could fetch instead.
 */
import { providerError, type GenerateRequest, type ProviderImageInput } from '../contract.js';
import type { RunpodRunBody } from './runpod-client.js';
import { workerProtocolVersion, type WorkerImageSource, type WorkerJobInput } from './worker-protocol.js';

/** RunPod's documented limit on a `/run` request body. */
export const runRequestLimitBytes = 10 * 1024 * 1024;

export interface WorkerRequestSettings {
  /** Provider the worker runs the request with. */
  workerProvider: string;
  executionTimeoutMs: number;
  ttlMs: number;
  /** Largest body sent, bytes; default RunPod's 10 MB (tests use less). */
  requestLimitBytes?: number | undefined;
}

export function buildRunBody(request: GenerateRequest, settings: WorkerRequestSettings): { body: RunpodRunBody; text: string } {
  const input: WorkerJobInput = {
    protocol: workerProtocolVersion,
    provider: settings.workerProvider,
    model: request.modelId,
    prompt: request.prompt,
    references: request.references.map(inlineImage),
    ...(request.mask === undefined ? {} : { mask: inlineImage(request.mask) }),
    n: request.n,
    size: request.size,
    aspectRatio: request.aspectRatio,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.negativePrompt === undefined ? {} : { negativePrompt: request.negativePrompt }),
    ...(request.loras === undefined ? {} : { loras: request.loras }),
    ...(request.strength === undefined ? {} : { strength: request.strength }),
    ...(request.providerOptions === undefined ? {} : { providerOptions: request.providerOptions }),
    ...(request.taskKey === undefined ? {} : { taskKey: request.taskKey }),
  };
  const body: RunpodRunBody = { input, policy: { executionTimeout: settings.executionTimeoutMs, ttl: settings.ttlMs } };
  const text = JSON.stringify(body);
  const limitBytes = settings.requestLimitBytes ?? runRequestLimitBytes;
  const sizeBytes = Buffer.byteLength(text);
  if (sizeBytes > limitBytes) {
    const imageCount = request.references.length + (request.mask === undefined ? 0 : 1);
    throw providerError(
      'invalid',
      `This request is ${(sizeBytes / 1024 / 1024).toFixed(1)} MB with its ${imageCount} images inline, over RunPod's ${(limitBytes / 1024 / 1024).toFixed(0)} MB limit on /run. ` +
        'imagefleet cannot yet give the worker URLs to fetch the references from, so nothing was sent: use fewer or smaller reference images.',
    );
  }
  return { body, text };
}

function inlineImage(image: ProviderImageInput): WorkerImageSource {
  return { base64: Buffer.from(image.bytes).toString('base64'), mediaType: image.mediaType, sha256: image.sha256 };
}
