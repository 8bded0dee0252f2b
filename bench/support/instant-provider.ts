import type { GenerateRequest, GenerateResult, ImageProvider, ModelCapabilities } from '../../src/providers/contract.js';
import { benchModelCapabilities } from './bench-model-capabilities.js';
import { smallPngSidePixels } from './small-png.js';

export const instantProviderId = 'bench';
export const instantModelId = 'bench-model';

/**
 * A zero-latency provider: it returns a PNG encoded once up front, so the engine-overhead benchmark
 * measures only imagefleet (queue, leases, file writes, thumbnails, fenced completion).
 */
export function createInstantProvider(png: Uint8Array): ImageProvider {
  const models: readonly ModelCapabilities[] = [benchModelCapabilities({ modelId: instantModelId, displayName: 'Instant benchmark model', typicalLatencyMs: 0 })];
  return {
    id: instantProviderId,
    displayName: 'Instant benchmark provider',
    models: () => models,
    credentialFingerprint: () => undefined,
    generate: (request: GenerateRequest): Promise<GenerateResult> =>
      Promise.resolve({
        images: Array.from({ length: request.n }, (_unused, index) => ({
          bytes: png,
          mediaType: 'image/png',
          width: smallPngSidePixels,
          height: smallPngSidePixels,
          seed: request.seed === undefined ? undefined : (request.seed + index) % 2 ** 32,
        })),
        warnings: [],
      }),
  };
}
