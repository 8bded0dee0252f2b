import sharp from 'sharp';
import { ImagefleetError } from '../../src/core/errors.js';
import { aspectRatios, imageSizes } from '../../src/core/image-size.js';
import type { GenerateRequest, GenerateResult, ImageProvider, ModelCapabilities } from '../../src/providers/contract.js';

/** A tiny valid PNG, made once. */
export async function tinyPng(red = 200): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: red, g: 80, b: 40 } } }).png().toBuffer());
}

export type Script = (request: GenerateRequest, call: number) => Promise<GenerateResult>;

export interface ScriptedProviderOptions {
  id?: string;
  modelId?: string;
  pricePerImageUsd?: number;
  maxImagesPerCall?: number;
  credentialFingerprint?: string;
  script?: Script;
}

/**
 * A provider whose behaviour each test scripts: the engine under test talks to it through the
 * real provider contract. It records every call (prompt, seed) so tests can count repeats.
 */
export class ScriptedProvider implements ImageProvider {
  readonly id: string;
  readonly displayName = 'Scripted test provider';
  readonly calls: GenerateRequest[] = [];
  private readonly model: ModelCapabilities;
  private readonly fingerprint: string | undefined;
  script: Script;

  constructor(options: ScriptedProviderOptions = {}) {
    this.id = options.id ?? 'scripted';
    this.fingerprint = options.credentialFingerprint;
    this.model = {
      modelId: options.modelId ?? 'scripted-model',
      displayName: 'Scripted',
      description: 'test',
      maxReferenceImages: 4,
      seedSupport: 'exact',
      sizes: imageSizes,
      aspectRatios,
      supportsMask: true,
      supportsLora: false,
      supportsNegativePrompt: true,
      supportsStrength: true,
      maxImagesPerCall: options.maxImagesPerCall ?? 4,
      lanes: ['online'],
      pricePerImageUsd: Object.fromEntries(imageSizes.map((size) => [size, { online: options.pricePerImageUsd ?? 0 }])),
      typicalLatencyMs: 10,
    };
    this.script = options.script ?? succeed();
  }

  models(): readonly ModelCapabilities[] {
    return [this.model];
  }

  credentialFingerprint(): string | undefined {
    return this.fingerprint;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.calls.push(request);
    return this.script(request, this.calls.length);
  }
}

/** Replies with `n` tiny PNGs after `latencyMs` (aborting promptly when asked). */
export function succeed(latencyMs = 0): Script {
  let png: Promise<Uint8Array> | undefined;
  return async (request) => {
    png ??= tinyPng();
    if (latencyMs > 0) await abortableDelay(latencyMs, request.signal);
    const bytes = await png;
    return {
      images: Array.from({ length: request.n }, (_, index) => ({
        bytes,
        mediaType: 'image/png',
        width: 8,
        height: 8,
        seed: request.seed === undefined ? undefined : request.seed + index,
      })),
      warnings: [],
    };
  };
}

/** Waits for `ms` of real time, rejecting with `canceled` when the signal aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ImagefleetError('canceled', 'aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(new ImagefleetError('canceled', 'aborted'));
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never settles unless aborted. */
export function hang(): Script {
  return (request) => abortableDelay(24 * 60 * 60 * 1000, request.signal).then(() => ({ images: [], warnings: [] }));
}
