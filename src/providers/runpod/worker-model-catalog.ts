/**
 * Which models the `runpod` provider offers: those of the provider the worker image runs
 * (`RUNPOD_WORKER_PROVIDER`), from that provider's own capability table, optionally narrowed by
 * `RUNPOD_MODELS`. Prices add RunPod's compute (price per second × typical call time) to the
 * provider's own price; latencies add a typical queue delay. Only the online lane: the worker makes
 * online calls.
 */
import type { GeminiModelIdOverrides } from '../gemini/model-id-overrides.js';
import { ImagefleetError } from '../../core/errors.js';
import type { ImageSize } from '../../core/image-size.js';
import type { ModelCapabilities, PriceTable } from '../contract.js';
import { geminiModelTable } from '../gemini/models.js';
import { comfyuiModelCapabilities } from '../comfyui/comfyui-models.js';
import { localModelCapabilities } from '../local/local-model.js';
import { sdwebuiModelCapabilities } from '../sdwebui/sdwebui-models.js';

export interface WorkerCatalogSettings {
  /** Provider id the worker runs. */
  workerProvider: string;
  /** Model ids to offer; undefined = every model of the worker provider. */
  modelIds?: readonly string[] | undefined;
  /** RunPod compute price, USD per second of execution. */
  pricePerSecondUsd: number;
  /** Wire-id overrides, when the worker provider is Gemini (the app's `GEMINI_MODEL_*`). */
  geminiModelIds?: GeminiModelIdOverrides | undefined;
}

/** Typical wait in RunPod's queue with a warm worker, ms; cold starts take longer. */
const typicalQueueDelayMs = 2_000;

/** The capability tables of providers the worker image can run, by provider id. */
const catalogs: Record<string, (settings: WorkerCatalogSettings) => readonly ModelCapabilities[]> = {
  gemini: (settings) => geminiModelTable(settings.geminiModelIds).map((model) => model.capabilities),
  local: () => [localModelCapabilities(0)],
  // A Stable Diffusion server inside the worker image: its `default` model is the checkpoint that
  // server has loaded (the client cannot list the worker's checkpoints), with the built-in
  // templates' full feature set for ComfyUI.
  sdwebui: () => sdwebuiModelCapabilities([], sdwebuiImagesPerCall),
  comfyui: () => comfyuiModelCapabilities([], { references: true, mask: true, negativePrompt: true, lora: true, checkpoint: false }),
};

/** Images per call of a worker's web UI (its default `SDWEBUI_MAX_IMAGES_PER_CALL`). */
const sdwebuiImagesPerCall = 4;

/** Provider ids the catalog knows. */
export const workerCatalogProviders = Object.keys(catalogs);

/** The models the `runpod` provider offers; fails with `config_invalid` on an unknown provider or model. */
export function workerModelCatalog(settings: WorkerCatalogSettings): ModelCapabilities[] {
  const catalog = catalogs[settings.workerProvider];
  if (catalog === undefined) {
    throw new ImagefleetError('config_invalid', `RUNPOD_WORKER_PROVIDER is "${settings.workerProvider}", which imagefleet has no model table for; use one of ${workerCatalogProviders.join(', ')}.`);
  }
  const all = catalog(settings);
  const chosen = settings.modelIds === undefined ? all : settings.modelIds.map((id) => findIn(all, id, settings.workerProvider));
  return chosen.map((model) => onRunpod(model, settings));
}

function findIn(models: readonly ModelCapabilities[], id: string, workerProvider: string): ModelCapabilities {
  const found = models.find((model) => model.modelId === id || model.aliases?.includes(id));
  if (found) return found;
  throw new ImagefleetError('config_invalid', `RUNPOD_MODELS names "${id}", which is not a ${workerProvider} model; use some of ${models.map((model) => model.modelId).join(', ')}.`);
}

function onRunpod(model: ModelCapabilities, settings: WorkerCatalogSettings): ModelCapabilities {
  const computeUsd = (settings.pricePerSecondUsd * model.typicalLatencyMs) / 1000;
  const pricePerImageUsd: PriceTable = {};
  for (const [size, lanes] of Object.entries(model.pricePerImageUsd) as Array<[ImageSize, PriceTable[ImageSize]]>) {
    const online = lanes?.online;
    if (online !== undefined) pricePerImageUsd[size] = { online: roundUsd(online + computeUsd) };
  }
  return {
    ...model,
    displayName: `${model.displayName} on RunPod`,
    description: `${model.description} Runs on your RunPod Serverless endpoint (${settings.workerProvider} inside imagefleet's worker image).`,
    lanes: ['online'],
    pricePerImageUsd,
    typicalLatencyMs: model.typicalLatencyMs + typicalQueueDelayMs,
  };
}

/** Prices to a millionth of a dollar, so sums of floats stay readable. */
function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
