/**
 * `GET /api/providers`: every provider imagefleet knows, configured or not, with each model's
 * capabilities (the web app shows only the controls a model supports), the limits in force and
 * whether it is paused. Built field by field, so nothing a provider object carries (keys) leaks.
 */
import { type z } from 'zod';
import { listProviders, type ConfiguredProvider } from '../operations/list-providers.js';
import type { ProviderLimits } from '../engine/ports.js';
import type { ModelCapabilities } from '../providers/contract.js';
import { apiRoute } from './api-route.js';
import { readQuery } from './request-input.js';
import { providersQuerySchema, type providerInfoSchema, type providerModelSchema } from './schemas/providers.js';

type ProviderInfo = z.output<typeof providerInfoSchema>;
type ProviderModel = z.output<typeof providerModelSchema>;

/** Providers imagefleet can run, and how to turn each on; a configured provider's own entry wins. */
const knownProviders: ReadonlyArray<{ id: string; displayName: string; setup: string }> = [
  { id: 'local', displayName: 'Local (offline, not AI)', setup: '' },
  { id: 'gemini', displayName: 'Google Gemini (Nano Banana)', setup: 'Set GEMINI_API_KEY (from Google AI Studio) and restart imagefleet.' },
  { id: 'sdwebui', displayName: 'Stable Diffusion web UI (AUTOMATIC1111 / Forge)', setup: 'Start the web UI with --api and set SDWEBUI_BASE_URL (e.g. http://127.0.0.1:7860), then restart imagefleet.' },
  { id: 'comfyui', displayName: 'ComfyUI', setup: 'Set COMFYUI_BASE_URL (e.g. http://127.0.0.1:8188), then restart imagefleet.' },
  { id: 'runpod', displayName: 'RunPod Serverless', setup: 'Deploy the worker image (docs/deployment.md), set RUNPOD_API_KEY and RUNPOD_ENDPOINT_ID, then restart imagefleet.' },
];

export const handleListProviders = apiRoute(
  async ({ url, fleet }) => {
    const query = readQuery(url, providersQuerySchema);
    const configured = await listProviders({ refreshCatalogs: query.refresh === '1' || query.refresh === 'true' }, fleet);
    const items: ProviderInfo[] = configured.map(describeConfigured);
    for (const known of knownProviders) {
      if (!configured.some((entry) => entry.provider.id === known.id)) items.push({ id: known.id, displayName: known.displayName, configured: false, setup: known.setup, pausedReason: null, limits: null, models: [], loras: [], learnedRates: [] });
    }
    return Response.json({ items }, { headers: { 'cache-control': 'no-store' } });
  },
  { name: 'GET /api/providers' },
);

function describeConfigured({ provider, pausedReason, limits, loraNames, learnedRates }: ConfiguredProvider): ProviderInfo {
  return {
    id: provider.id,
    displayName: provider.displayName,
    configured: true,
    setup: '',
    pausedReason: pausedReason ?? null,
    limits: { online: limitsBody(limits.online), batch: limits.batch === undefined ? null : limitsBody(limits.batch) },
    models: provider.models().map(describeModel),
    loras: loraNames,
    learnedRates: learnedRates.map(({ limitKey, view }) => ({
      limitKey,
      phase: view.phase,
      requestsPerMinute: round(view.ratesPerMinute['requests-per-minute'] ?? 0),
      estimatedRequestsPerMinute: nullableRound(view.estimatedPerMinute['requests-per-minute']),
      imagesPerMinute: nullableRound(view.ratesPerMinute['images-per-minute']),
      inputTokensPerMinute: nullableRound(view.ratesPerMinute['input-tokens-per-minute']),
      pausedUntilMs: view.pausedUntilMs ?? null,
    })),
  };
}

function limitsBody(limits: ProviderLimits) {
  return { requestsPerMinute: limits.requestsPerMinute, maxConcurrency: limits.maxConcurrency, cooldownMs: limits.cooldownMs, learnedRate: limits.learnedRate === true };
}

/** Rates are shown to a tenth: the controller's are fractional. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function nullableRound(value: number | undefined): number | null {
  return value === undefined ? null : round(value);
}

function describeModel(model: ModelCapabilities): ProviderModel {
  const prices: Record<string, Record<string, number>> = {};
  for (const [size, byLane] of Object.entries(model.pricePerImageUsd)) {
    prices[size] = Object.fromEntries(Object.entries(byLane ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  }
  return {
    id: model.modelId,
    aliases: [...(model.aliases ?? [])],
    displayName: model.displayName,
    description: model.description,
    maxReferenceImages: model.maxReferenceImages,
    seedSupport: model.seedSupport,
    sizes: [...model.sizes],
    aspectRatios: [...model.aspectRatios],
    supportsMask: model.supportsMask,
    supportsLora: model.supportsLora,
    supportsNegativePrompt: model.supportsNegativePrompt,
    supportsStrength: model.supportsStrength,
    maxImagesPerCall: model.maxImagesPerCall,
    lanes: [...model.lanes],
    pricePerImageUsd: prices,
    typicalLatencyMs: model.typicalLatencyMs,
  };
}
