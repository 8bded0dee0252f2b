/**
 * `GET /api/providers`: every provider imagefleet knows, configured or not, with each model's
 * capabilities (the web app shows only the controls a model supports), the limits in force and
 * whether it is paused. Built field by field, so nothing a provider object carries (keys) leaks.
 */
import { type z } from 'zod';
import type { ModelCapabilities, ImageProvider } from '../providers/contract.js';
import { loraCatalogOf } from '../providers/lora-catalog.js';
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
    if (query.refresh === '1' || query.refresh === 'true') {
      const catalogs = fleet.providers.list().flatMap((provider) => loraCatalogOf(provider) ?? []);
      await Promise.all(catalogs.map((catalog) => catalog.refreshCatalog()));
    }
    const states = await fleet.store.queue.providerStates();
    const pausedReasonFor = (providerId: string): string | null =>
      states.find((state) => (state.scopeKey === providerId || state.scopeKey.startsWith(`${providerId}:`)) && state.pausedReason !== undefined)?.pausedReason ?? null;
    const configured = fleet.providers.list();
    const items: ProviderInfo[] = configured.map((provider) => describeConfigured(provider, pausedReasonFor(provider.id), fleet.limitsFor));
    for (const known of knownProviders) {
      if (!fleet.providers.has(known.id)) items.push({ id: known.id, displayName: known.displayName, configured: false, setup: known.setup, pausedReason: null, limits: null, models: [], loras: [] });
    }
    return Response.json({ items }, { headers: { 'cache-control': 'no-store' } });
  },
  { name: 'GET /api/providers' },
);

function describeConfigured(provider: ImageProvider, pausedReason: string | null, limitsFor: (providerId: string, lane?: 'online' | 'batch') => { requestsPerMinute: number; maxConcurrency: number; cooldownMs: number }): ProviderInfo {
  const models = provider.models();
  const hasBatch = models.some((model) => model.lanes.includes('batch'));
  const limits = (lane: 'online' | 'batch') => {
    const value = limitsFor(provider.id, lane);
    return { requestsPerMinute: value.requestsPerMinute, maxConcurrency: value.maxConcurrency, cooldownMs: value.cooldownMs };
  };
  return {
    id: provider.id,
    displayName: provider.displayName,
    configured: true,
    setup: '',
    pausedReason,
    limits: { online: limits('online'), batch: hasBatch ? limits('batch') : null },
    models: models.map(describeModel),
    loras: [...(loraCatalogOf(provider)?.loraNames() ?? [])],
  };
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
