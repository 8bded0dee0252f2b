/**
 * The `runpod` provider's module: registered when `RUNPOD_API_KEY` and `RUNPOD_ENDPOINT_ID` are set
 * (src/providers/provider-module.ts). The worker image's own variables (`RUNPOD_WORKER_*`,
 * `BUCKET_*`) belong to the `imagefleet runpod-worker` service and stay in src/config.
 */
import { baseUrlVariable, decimalVariable, identifierVariable, integerVariable, modelListVariable, secretVariable } from '../../core/environment-variables.js';
import type { GeminiSettings } from '../gemini/module.js';
import { defineProviderModule, type ProviderLaneLimits } from '../provider-module.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

export interface RunpodSettings {
  /** RunPod API key; with `endpointId`, registers the `runpod` provider. Never logged or shown. `RUNPOD_API_KEY`, default unset. */
  apiKey: string | undefined;
  /** Id of the Serverless endpoint running imagefleet's worker image. `RUNPOD_ENDPOINT_ID`, default unset. */
  endpointId: string | undefined;
  /** Base URL of the queue API, without the endpoint id (a proxy or a test fake). `RUNPOD_BASE_URL`, default `https://api.runpod.ai/v2`. */
  baseUrl: string;
  /** `RUNPOD_RPM` (job submissions per minute, default 600), `RUNPOD_CONCURRENCY` (jobs submitted and unfinished at once, default 16), `RUNPOD_COOLDOWN_MS` (default 0). */
  limits: ProviderLaneLimits;
  /** Provider the worker image runs (`gemini`, `local`, `sdwebui`, `comfyui`); decides the models offered. `RUNPOD_WORKER_PROVIDER`, default `gemini`. */
  workerProvider: string;
  /** Model ids offered, a subset of the worker provider's; undefined = all. `RUNPOD_MODELS`, default unset. */
  modelIds: string[] | undefined;
  /** `policy.executionTimeout` of each job, in ms (RunPod: 5 s to 7 days). `RUNPOD_EXECUTION_TIMEOUT_MS`, default 600000. */
  executionTimeoutMs: number;
  /** `policy.ttl` of each job (queue time included), in ms (RunPod: 10 s to 7 days). `RUNPOD_TTL_MS`, default 86400000. */
  ttlMs: number;
  /** What one second of worker execution costs, in USD, added to each job's cost and estimate. `RUNPOD_PRICE_PER_SECOND_USD`, default 0.00019. */
  pricePerSecondUsd: number;
}

export const runpodModule = defineProviderModule({
  id: 'runpod',
  environment: {
    RUNPOD_API_KEY: secretVariable({ minimumLength: 1 }),
    RUNPOD_ENDPOINT_ID: identifierVariable({ requirement: 'a RunPod endpoint id such as abc123xyz (letters, digits, dots, underscores and dashes)' }),
    RUNPOD_BASE_URL: baseUrlVariable({ defaultValue: 'https://api.runpod.ai/v2' }),
    RUNPOD_RPM: integerVariable({ minimum: 0, maximum: 1_000_000, defaultValue: 600 }),
    RUNPOD_CONCURRENCY: integerVariable({ minimum: 1, maximum: 10_000, defaultValue: 16 }),
    RUNPOD_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
    RUNPOD_WORKER_PROVIDER: identifierVariable({ requirement: 'a provider id the worker image runs: gemini, local, sdwebui or comfyui', defaultValue: 'gemini' }),
    RUNPOD_MODELS: modelListVariable(),
    RUNPOD_EXECUTION_TIMEOUT_MS: integerVariable({ minimum: 5000, maximum: 7 * dayMs, defaultValue: 10 * minuteMs }),
    RUNPOD_TTL_MS: integerVariable({ minimum: 10_000, maximum: 7 * dayMs, defaultValue: dayMs }),
    RUNPOD_PRICE_PER_SECOND_USD: decimalVariable({ maximum: 1, defaultValue: 0.00019 }),
  },
  settingsFrom: (values): RunpodSettings => ({
    apiKey: values.RUNPOD_API_KEY,
    endpointId: values.RUNPOD_ENDPOINT_ID,
    baseUrl: values.RUNPOD_BASE_URL,
    limits: { requestsPerMinute: values.RUNPOD_RPM, maxConcurrency: values.RUNPOD_CONCURRENCY, cooldownMs: values.RUNPOD_COOLDOWN_MS },
    workerProvider: values.RUNPOD_WORKER_PROVIDER ?? 'gemini',
    modelIds: values.RUNPOD_MODELS,
    executionTimeoutMs: values.RUNPOD_EXECUTION_TIMEOUT_MS,
    ttlMs: values.RUNPOD_TTL_MS,
    pricePerSecondUsd: values.RUNPOD_PRICE_PER_SECOND_USD,
  }),
  limits: (settings) => settings.limits,
  create: async (settings, context) => {
    if (settings.apiKey === undefined || settings.endpointId === undefined) return undefined;
    const { createRunpodProvider } = await import('./runpod-provider.js');
    // The worker runs Gemini's models under the same overrides as this app.
    const gemini = context.settingsById.gemini as GeminiSettings | undefined;
    const provider = createRunpodProvider({
      apiKey: settings.apiKey,
      endpointId: settings.endpointId,
      baseUrl: settings.baseUrl,
      workerProvider: settings.workerProvider,
      modelIds: settings.modelIds,
      executionTimeoutMs: settings.executionTimeoutMs,
      ttlMs: settings.ttlMs,
      pricePerSecondUsd: settings.pricePerSecondUsd,
      geminiModelIds: gemini?.modelIds,
      imageLink: context.referenceLink,
      resultBucket: context.workerResultBucket,
      logger: context.logger,
    });
    return { provider };
  },
});
