/**
 * The provider contract (DESIGN §6), version 1. Modelled on the Vercel AI SDK's image-model
 * interface: one call produces `n` images; the engine, not the provider, loops over tasks,
 * retries, limits and persists.
 */
import type { AspectRatio, ImageSize } from '../core/image-size.js';
import type { Lane, LoraSetting } from '../core/job.js';
import { ImagefleetError } from '../core/errors.js';
import type { QuotaDimension } from '../core/quota-failure.js';
import type { SamplingSettings } from '../core/provenance.js';

export const providerContractVersion = 1;

export type SeedSupport = 'exact' | 'best-effort' | 'none';

/** Price of one output image in USD, by size class and lane. Missing entries mean "not offered". */
export type PriceTable = Partial<Record<ImageSize, Partial<Record<Lane, number>>>>;

/** What a model can do. The UI shows only these controls; the planner validates against them. */
export interface ModelCapabilities {
  /** Model id as jobs name it (the provider may map it to another id on the wire). */
  modelId: string;
  /**
   * Other ids jobs may use for this model (the provider's wire ids, retired preview ids). A job
   * naming an alias is stored and run under `modelId`, so limits and task keys do not split.
   */
  aliases?: readonly string[] | undefined;
  /** Human name, e.g. "Nano Banana Pro". */
  displayName: string;
  /** One-line description shown in pickers. */
  description: string;
  /** Most reference images one call accepts (0 = text-to-image only). */
  maxReferenceImages: number;
  /** Whether a seed reproduces an image: `exact` (same bytes), `best-effort`, or `none`. */
  seedSupport: SeedSupport;
  /** Size classes offered. */
  sizes: readonly ImageSize[];
  /** Aspect ratios offered. */
  aspectRatios: readonly AspectRatio[];
  /** Inpainting with a mask. */
  supportsMask: boolean;
  /** LoRA styles. */
  supportsLora: boolean;
  /** Negative prompt. */
  supportsNegativePrompt: boolean;
  /** img2img denoising strength. */
  supportsStrength: boolean;
  /** Most images one call returns; the planner splits larger sets into several tasks. */
  maxImagesPerCall: number;
  /** Lanes offered (`batch` = the provider's discounted asynchronous lane). */
  lanes: readonly Lane[];
  /** Price per image by size and lane, USD. */
  pricePerImageUsd: PriceTable;
  /** Typical latency of one call in ms, used for time estimates. */
  typicalLatencyMs: number;
}

/** One reference image as the provider receives it. */
export interface ProviderImageInput {
  bytes: Uint8Array;
  mediaType: string;
  /** Hex SHA-256 of `bytes` (stable identity for caching uploads). */
  sha256: string;
}

/** One generation call. */
export interface GenerateRequest {
  /** Model id from the provider's capabilities. */
  modelId: string;
  /**
   * Stable identity of the planned call (the task key). Asynchronous providers key their remote
   * requests by it (e.g. a Gemini batch line), so results map back to tasks. Unset outside the engine.
   */
  taskKey?: string | undefined;
  prompt: string;
  references: ProviderImageInput[];
  /** Inpainting mask: white = change, black = keep. Same size as the first reference. */
  mask?: ProviderImageInput | undefined;
  /** Images to produce (1..maxImagesPerCall). */
  n: number;
  size: ImageSize;
  aspectRatio: AspectRatio;
  /** Seed of the first image; image i uses seed + i (mod 2^32). Undefined = provider chooses. */
  seed?: number | undefined;
  negativePrompt?: string | undefined;
  loras?: LoraSetting[] | undefined;
  /** img2img denoising strength 0..1. */
  strength?: number | undefined;
  /** Provider-specific options, passed through untouched. */
  providerOptions?: Record<string, unknown> | undefined;
  /** Aborted when the task is canceled, its lease is lost, or the process shuts down. */
  signal: AbortSignal;
  /** Per-image progress 0..1, forwarded to the UI as task progress events. Optional to call. */
  onProgress?: ((fraction: number) => void) | undefined;
}

export interface GeneratedImageOutput {
  bytes: Uint8Array;
  mediaType: string;
  width: number;
  height: number;
  /** The seed that reproduces this image, when the provider reports or honours one. */
  seed?: number | undefined;
}

export interface GenerateResult {
  images: GeneratedImageOutput[];
  /** Settings dropped or adjusted, said plainly ("seed ignored: model has no seeds"). */
  warnings: string[];
  /** Provider's request id, kept in provenance. */
  requestId?: string | undefined;
  /** The sampler settings the call ran with (Stable Diffusion providers), recorded in each PNG's A1111 text. */
  sampling?: SamplingSettings | undefined;
  /** What the call cost in USD, when the provider reports it; else the engine uses the price table. */
  costUsd?: number | undefined;
}

/** A remote job's state, for providers that run asynchronously (RunPod, Gemini batch). */
export type RemotePollResult =
  | { state: 'pending'; progress?: number | undefined }
  | { state: 'done'; result: GenerateResult }
  /**
   * The remote job ended without a result for this handle (expired, failed, or this request's line
   * failed). The engine forgets the handle and classifies `error`; a retry submits afresh — online
   * when `resubmitOnline` says so (the job asked for it), else in a new remote job.
   */
  | { state: 'failed'; error: ImagefleetError; resubmitOnline?: boolean | undefined };

export interface ImageProvider {
  /** Registry id: `local`, `gemini`, `sdwebui`, `comfyui`, `runpod`. */
  readonly id: string;
  readonly displayName: string;
  /** Models this provider offers now. */
  models(): readonly ModelCapabilities[];
  /**
   * Short non-secret fingerprint of the credentials in use (e.g. first 8 hex of SHA-256 of the key),
   * or undefined when the provider needs none. A provider paused for bad credentials resumes when
   * this changes.
   */
  credentialFingerprint(): string | undefined;
  /**
   * Runs one call. Throws an ImagefleetError with a `provider_*` code on failure (see
   * `providerError`); anything else thrown is treated as transient.
   */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /**
   * Lanes whose calls go through `submit` / `poll` instead of `generate` (e.g. Gemini: `batch`
   * only). Default: every lane, when `submit` and `poll` exist.
   */
  readonly remoteLanes?: readonly Lane[] | undefined;
  /** Asynchronous providers: start the call and return a handle the engine persists before waiting. */
  submit?(request: GenerateRequest): Promise<string>;
  /** Asynchronous providers: check a handle saved earlier (also after a restart). */
  poll?(handle: string, signal: AbortSignal): Promise<RemotePollResult>;
  /** Asynchronous providers: cancel the remote job (best effort). */
  cancel?(handle: string): Promise<void>;
  /**
   * Checks a job's provider-specific settings when it is submitted, before anything is written:
   * throws a `provider_invalid` error saying what is wrong. Optional; providers that can tell a bad
   * option or an unknown LoRA up front implement it, so a typo fails the submit with 400 instead of
   * every task of the job. Must not fail because a server is unreachable (the tasks check again).
   */
  checkJobSettings?(settings: JobSettingsCheck): Promise<void>;
}

/** What `checkJobSettings` looks at. */
export interface JobSettingsCheck {
  modelId: string;
  providerOptions?: Record<string, unknown> | undefined;
  loras?: LoraSetting[] | undefined;
}

export type ProviderFailureKind = 'rate_limited' | 'transient' | 'blocked' | 'invalid' | 'paused';

/** Builds the error a provider throws; the engine classifies by its code. */
export function providerError(
  kind: ProviderFailureKind,
  message: string,
  options: { retryAfterMs?: number; quotaDimension?: QuotaDimension; cause?: unknown } = {},
): ImagefleetError {
  return new ImagefleetError(`provider_${kind}`, message, options);
}

/** Finds a model's capabilities by its id or one of its aliases, or fails with the list of known ids. */
export function findModel(provider: ImageProvider, modelId: string): ModelCapabilities {
  const models = provider.models();
  const model = models.find((candidate) => candidate.modelId === modelId) ?? models.find((candidate) => candidate.aliases?.includes(modelId));
  if (model) return model;
  const known = models
    .map((candidate) => (candidate.aliases && candidate.aliases.length > 0 ? `${candidate.modelId} (also ${candidate.aliases.join(', ')})` : candidate.modelId))
    .join(', ');
  throw new ImagefleetError('invalid_input', `Unknown model "${modelId}" for provider "${provider.id}". Known models: ${known}.`, {
    issues: [{ path: 'model', message: `unknown model; use one of: ${known}` }],
  });
}
