/**
 * The `sdwebui` provider: a self-hosted AUTOMATIC1111-compatible web UI (also Forge and SD.Next)
 * through its HTTP API (`--api`). One call is one txt2img or img2img request making `n` images as
 * a batch with seeds seed, seed+1, …, each read back from the reply, so any image can be made again
 * alone from its seed. Checkpoints and LoRAs are read from the server into a cache (`models()` is
 * synchronous); `refreshCatalog()` reads them again.
 */
import { ImagefleetError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { maxSeed, offsetSeed } from '../../core/seeds.js';
import { providerError, type GenerateRequest, type GenerateResult, type GeneratedImageOutput, type ImageProvider, type ModelCapabilities } from '../contract.js';
import type { LoraCatalog } from '../lora-catalog.js';
import { checkLoras } from '../stable-diffusion/lora-check.js';
import { ServerCatalog, type CheckpointEntry } from '../stable-diffusion/server-catalog.js';
import { displayBaseUrl, requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';
import { stableDiffusionDimensions } from '../stable-diffusion/stable-diffusion-size.js';
import { basicAuthorization, fingerprintLogin, loginInUrl, type BasicLogin } from '../stable-diffusion/basic-auth.js';
import { readSdwebuiCatalog } from './sdwebui-catalog.js';
import { readSdwebuiErrorReply } from './sdwebui-error-reply.js';
import { sdwebuiDefaultModelId, sdwebuiModelCapabilities } from './sdwebui-models.js';
import { buildSdwebuiCall, defaultDenoisingStrength } from './sdwebui-payload.js';
import { watchSdwebuiProgress } from './sdwebui-progress.js';
import { readSdwebuiOptions } from './sdwebui-provider-options.js';
import { readSdwebuiReply } from './sdwebui-reply.js';

export interface SdwebuiProviderSettings {
  /** Base URL of the web UI (`SDWEBUI_BASE_URL`), e.g. `http://127.0.0.1:7860`. */
  baseUrl: string;
  /** The web UI's `--api-auth` login (`SDWEBUI_USERNAME`, `SDWEBUI_PASSWORD`); undefined = none. */
  login?: BasicLogin | undefined;
  /** Longest wait for one generation call, ms (`SDWEBUI_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Most images per call, the web UI's `batch_size` (`SDWEBUI_MAX_IMAGES_PER_CALL`). */
  maxImagesPerCall: number;
  /** How often progress is read while a call runs, ms; default 1000. */
  progressIntervalMs?: number | undefined;
  logger?: Logger | undefined;
}

export type SdwebuiProvider = ImageProvider & LoraCatalog;

const defaultProgressIntervalMs = 1_000;

/** Creates the provider. Nothing is sent until `refreshCatalog` or a call. */
export function createSdwebuiProvider(settings: SdwebuiProviderSettings): SdwebuiProvider {
  const logger = settings.logger ?? silentLogger;
  const where = displayBaseUrl(settings.baseUrl);
  const connection: ServerConnection = {
    baseUrl: settings.baseUrl,
    serverName: 'the Stable Diffusion web UI',
    baseUrlVariable: 'SDWEBUI_BASE_URL',
    timeoutVariable: 'SDWEBUI_TIMEOUT_MS',
    headers: settings.login ? { authorization: basicAuthorization(settings.login) } : undefined,
    readErrorReply: (status, bodyText, action) => readSdwebuiErrorReply(status, bodyText, action, { where }),
  };
  const catalog = new ServerCatalog(() => readSdwebuiCatalog(connection), logger, `Stable Diffusion web UI at ${where}`);
  // A login in the URL counts too: changing it must lift a pause for a refused login.
  const login = settings.login ?? loginInUrl(settings.baseUrl);
  const fingerprint = login ? fingerprintLogin(login) : undefined;
  let capabilities: readonly ModelCapabilities[] = sdwebuiModelCapabilities([], settings.maxImagesPerCall);

  const refreshCatalog = async (): Promise<void> => {
    await catalog.refresh();
    capabilities = sdwebuiModelCapabilities(catalog.checkpoints, settings.maxImagesPerCall);
  };
  const refreshCatalogIfStale = async (): Promise<void> => {
    await catalog.refreshIfStale();
    capabilities = sdwebuiModelCapabilities(catalog.checkpoints, settings.maxImagesPerCall);
  };

  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    if (request.signal.aborted) throw new ImagefleetError('canceled', 'Canceled before the call to the Stable Diffusion web UI.');
    const options = readSdwebuiOptions(request.providerOptions);
    const warnings: string[] = [];
    // A LoRA added on the server since the last read is found by reading again before refusing.
    if ((request.loras ?? []).some((lora) => !catalog.loraNames.includes(lora.name))) await refreshCatalog();
    else await refreshCatalogIfStale();
    const checkpoint = checkpointFor(request.modelId, catalog.checkpoints);
    checkLoras(request.loras ?? [], catalog.loraNames, `the Stable Diffusion web UI at ${where}`);
    if (request.mask && request.references.length === 0) {
      throw providerError('invalid', 'An inpainting mask needs a reference image to paint into: add the image the mask belongs to.');
    }
    if (request.references.length > 1) warnings.push(`references: the web UI's img2img uses one image; only the first of ${request.references.length} was sent`);
    if (request.strength !== undefined && request.references.length === 0) warnings.push('strength: applies to img2img only (no reference image) — ignored');
    if (request.n < 1 || request.n > settings.maxImagesPerCall) {
      throw providerError('invalid', `n must be from 1 to ${settings.maxImagesPerCall} (SDWEBUI_MAX_IMAGES_PER_CALL) (got ${request.n}).`);
    }

    const dimensions = stableDiffusionDimensions(request.size, request.aspectRatio);
    const calls = seedPlan(request.seed, request.n);
    const images: GeneratedImageOutput[] = [];
    for (const [callIndex, call] of calls.entries()) {
      const { endpoint, body } = buildSdwebuiCall({ request, options, dimensions, imageCount: call.imageCount, seed: call.seed, checkpoint });
      const onProgress = request.onProgress;
      const watch = onProgress
        ? watchSdwebuiProgress(connection, settings.progressIntervalMs ?? defaultProgressIntervalMs, (fraction) => onProgress((callIndex + fraction) / calls.length), request.signal)
        : undefined;
      try {
        const reply = await requestServerJson(connection, {
          method: 'POST',
          path: endpoint,
          json: body,
          signal: request.signal,
          timeoutMs: settings.timeoutMs,
          action: `generating ${call.imageCount} image(s) with ${request.modelId === sdwebuiDefaultModelId ? 'the loaded checkpoint' : request.modelId}`,
        });
        const read = await readSdwebuiReply(reply, call.imageCount, call.seed);
        images.push(...read.images);
        warnings.push(...read.warnings);
      } finally {
        watch?.stop();
      }
    }
    request.onProgress?.(1);
    const sampling = {
      steps: options.steps,
      sampler: options.sampler,
      scheduler: options.scheduler,
      cfgScale: options.cfgScale,
      denoisingStrength: request.references.length > 0 ? (request.strength ?? defaultDenoisingStrength) : undefined,
    };
    return { images, warnings, sampling };
  };

  return {
    id: 'sdwebui',
    displayName: 'Stable Diffusion web UI (AUTOMATIC1111 / Forge)',
    models: () => {
      catalog.retryInBackgroundIfNeverLoaded(() => (capabilities = sdwebuiModelCapabilities(catalog.checkpoints, settings.maxImagesPerCall)));
      return capabilities;
    },
    credentialFingerprint: () => fingerprint,
    generate,
    async checkJobSettings({ providerOptions, loras = [] }) {
      readSdwebuiOptions(providerOptions);
      if (loras.some((lora) => !catalog.loraNames.includes(lora.name))) await refreshCatalog();
      // An unreachable server lists nothing: the names are checked again when the tasks run.
      if (catalog.loaded) checkLoras(loras, catalog.loraNames, `the Stable Diffusion web UI at ${where}`);
    },
    loraNames: () => catalog.loraNames,
    refreshCatalog,
  };
}

/** The checkpoint title to switch to, or undefined for `default` (the loaded one). */
function checkpointFor(modelId: string, checkpoints: readonly CheckpointEntry[]): string | undefined {
  if (modelId === sdwebuiDefaultModelId) return undefined;
  const entry = checkpoints.find((candidate) => candidate.modelId === modelId || candidate.aliases.includes(modelId));
  if (entry) return entry.wireName;
  const known = [sdwebuiDefaultModelId, ...checkpoints.map((candidate) => candidate.modelId)].join(', ');
  throw providerError('invalid', `The Stable Diffusion web UI has no checkpoint "${modelId}" (any more). Known models: ${known}.`);
}

/**
 * The calls that make `n` images: one batch from `seed` (-1 = the web UI draws it), unless
 * seed + n − 1 would pass 2^32 − 1, where the web UI keeps counting but imagefleet seeds wrap to 0:
 * then one call per image, each with its wrapped seed, so every recorded seed reproduces its image.
 */
function seedPlan(seed: number | undefined, n: number): Array<{ seed: number; imageCount: number }> {
  if (seed === undefined) return [{ seed: -1, imageCount: n }];
  if (seed + n - 1 <= maxSeed) return [{ seed, imageCount: n }];
  return Array.from({ length: n }, (_, index) => ({ seed: offsetSeed(seed, index), imageCount: 1 }));
}
