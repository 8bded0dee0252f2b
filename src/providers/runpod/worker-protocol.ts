/**
 * What travels between the `runpod` provider (client) and imagefleet's worker image: the job input
 * the client puts under `input` of `POST /run`, the output the worker returns, and the error it
 * reports. Defined once here so both sides parse the same shapes (docs/deployment.md shows them).
 */
import { z } from 'zod';
import { aspectRatios, imageSizes } from '../../core/image-size.js';

/** Version of this protocol; a worker refuses inputs of another version with a clear message. */
export const workerProtocolVersion = 1;

/** One image travelling to the worker: inline as base64, or by a URL the worker can fetch. */
export const workerImageSourceSchema = z
  .object({
    /** Base64 of the image bytes (no data: prefix). */
    base64: z.string().min(1).optional(),
    /** An http(s) URL the worker downloads the image from. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Media type, e.g. `image/png`; sniffed from the bytes when missing. */
    mediaType: z.string().min(1).optional(),
    /** Hex SHA-256 of the bytes; when given, the worker refuses bytes that do not match. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .refine((source) => (source.base64 === undefined) !== (source.url === undefined), { message: 'give exactly one of base64 or url' });
export type WorkerImageSource = z.infer<typeof workerImageSourceSchema>;

/** One generation request, as the worker's handler receives it in `job.input`. */
export const workerJobInputSchema = z.object({
  protocol: z.literal(workerProtocolVersion).default(workerProtocolVersion),
  /** Provider the worker runs the request with (`gemini`, `local`, …: any provider of its registry but `runpod`). */
  provider: z.string().min(1),
  /** Model id of that provider. */
  model: z.string().min(1),
  prompt: z.string(),
  references: z.array(workerImageSourceSchema).max(32).default([]),
  mask: workerImageSourceSchema.optional(),
  n: z.int().min(1).max(16).default(1),
  size: z.enum(imageSizes).default('1K'),
  aspectRatio: z.enum(aspectRatios).default('1:1'),
  /** Seed of the first image (0..2^32−1); image i uses seed + i. */
  seed: z.int().min(0).max(2 ** 32 - 1).optional(),
  negativePrompt: z.string().optional(),
  loras: z.array(z.object({ name: z.string().min(1), weight: z.number() })).optional(),
  /** img2img strength 0..1. */
  strength: z.number().min(0).max(1).optional(),
  providerOptions: z.record(z.string(), z.unknown()).optional(),
  /** The client's task key (kept in logs; lets a provider key remote requests by it). */
  taskKey: z.string().optional(),
});
export type WorkerJobInput = z.input<typeof workerJobInputSchema>;
export type ParsedWorkerJobInput = z.output<typeof workerJobInputSchema>;

/** One image in the worker's output: inline base64, or a (presigned) URL in the worker's bucket. */
export const workerImageOutputSchema = z
  .object({
    base64: z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    mediaType: z.string().min(1),
    width: z.int().positive(),
    height: z.int().positive(),
    seed: z.int().min(0).max(2 ** 32 - 1).optional(),
  })
  .refine((image) => (image.base64 === undefined) !== (image.url === undefined), { message: 'give exactly one of base64 or url' });
export type WorkerImageOutput = z.infer<typeof workerImageOutputSchema>;

/** The worker handler's return value: RunPod shows it as `output` of a `COMPLETED` job. */
export const workerJobOutputSchema = z.object({
  protocol: z.literal(workerProtocolVersion),
  provider: z.string(),
  model: z.string(),
  images: z.array(workerImageOutputSchema),
  warnings: z.array(z.string()).default([]),
  /** What the underlying provider charged, USD (its report, or its price table); RunPod's compute is not included. */
  costUsd: z.number().min(0).optional(),
  /** The underlying provider's request id. */
  requestId: z.string().optional(),
});
export type WorkerJobOutput = z.infer<typeof workerJobOutputSchema>;

/**
 * A failure the worker reports. Sent as JSON text in the `error` of a `FAILED` job, so the client
 * classifies it exactly as the provider inside the worker did (blocked, invalid, rate limited…).
 */
export const workerJobErrorSchema = z.object({
  imagefleetError: z.object({
    kind: z.enum(['rate_limited', 'transient', 'blocked', 'invalid', 'paused']),
    message: z.string(),
    retryAfterMs: z.number().int().min(0).optional(),
  }),
});
export type WorkerJobError = z.infer<typeof workerJobErrorSchema>;

/**
 * Where a worker with a bucket keeps a job's whole output beside its images, below the bucket's
 * path: an app that missed RunPod's 30-minute result retention collects it from there.
 */
export function keptOutputObjectPath(jobId: string): string {
  return `${encodeURIComponent(jobId)}/output.json`;
}
