/**
 * A generation request as the body of `POST /run`: the worker input (prompt, settings, images with
 * their SHA-256) and the job's execution policy. Images go inline as base64 when the body fits
 * RunPod's 10 MB limit on /run; otherwise as signed links to this server the worker fetches (when
 * `IMAGEFLEET_PUBLIC_URL` is set); otherwise the request is refused here, before anything is sent
 * or paid, with a message that says what to do.
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
  /** A link the worker can fetch an image from (by SHA-256), or undefined when this server has no public address. */
  imageLink?: ((sha256: string) => string | undefined) | undefined;
}

export function buildRunBody(request: GenerateRequest, settings: WorkerRequestSettings): { body: RunpodRunBody; text: string } {
  const limitBytes = settings.requestLimitBytes ?? runRequestLimitBytes;
  const inline = runBodyOf(request, settings, inlineImage);
  const sizeBytes = Buffer.byteLength(inline.text);
  if (sizeBytes <= limitBytes) return inline;
  const imageCount = request.references.length + (request.mask === undefined ? 0 : 1);
  const tooBig = `This request is ${(sizeBytes / 1024 / 1024).toFixed(1)} MB with its ${imageCount} images inline, over RunPod's ${(limitBytes / 1024 / 1024).toFixed(0)} MB limit on /run`;
  const links = new Map<string, string | undefined>();
  for (const image of [...request.references, ...(request.mask === undefined ? [] : [request.mask])]) links.set(image.sha256, settings.imageLink?.(image.sha256));
  if ([...links.values()].some((link) => link === undefined)) {
    throw providerError(
      'invalid',
      `${tooBig}, and nothing was sent: set IMAGEFLEET_PUBLIC_URL to the address RunPod's workers reach this server at, so they fetch the references from signed links, or use fewer or smaller reference images.`,
    );
  }
  const linked = runBodyOf(request, settings, (image) => ({ url: links.get(image.sha256)!, mediaType: image.mediaType, sha256: image.sha256 }));
  if (Buffer.byteLength(linked.text) > limitBytes) throw providerError('invalid', `${tooBig}, and still over it with the references as links: shorten the prompt or settings.`);
  return linked;
}

function runBodyOf(request: GenerateRequest, settings: WorkerRequestSettings, source: (image: ProviderImageInput) => WorkerImageSource): { body: RunpodRunBody; text: string } {
  const input: WorkerJobInput = {
    protocol: workerProtocolVersion,
    provider: settings.workerProvider,
    model: request.modelId,
    prompt: request.prompt,
    references: request.references.map(source),
    ...(request.mask === undefined ? {} : { mask: source(request.mask) }),
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
  return { body, text: JSON.stringify(body) };
}

function inlineImage(image: ProviderImageInput): WorkerImageSource {
  return { base64: Buffer.from(image.bytes).toString('base64'), mediaType: image.mediaType, sha256: image.sha256 };
}
