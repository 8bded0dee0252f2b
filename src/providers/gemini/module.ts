/** The `gemini` provider's module: registered when `GEMINI_API_KEY` is set (src/providers/provider-module.ts). */
import path from 'node:path';
import { z } from 'zod';
import { describe, httpUrlVariable, integerVariable, rateVariable, secretVariable, type RawValue } from '../../core/environment-variables.js';
import { defineProviderModule, type ProviderLaneLimits } from '../provider-module.js';
import type { GeminiModelIdOverrides } from './model-id-overrides.js';
import { geminiInputTokenEstimate } from './input-token-estimate.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

export interface GeminiSettings {
  /** Google Gemini API key; unset = provider not configured. Never logged or shown. `GEMINI_API_KEY`. */
  apiKey: string | undefined;
  /** Base URL of the Gemini API (a proxy or a test fake); unset = Google's endpoint. `GEMINI_BASE_URL`. */
  baseUrl: string | undefined;
  /** `GEMINI_RPM` (default `auto`: learned, decision 0040), `GEMINI_CONCURRENCY` (default 16), `GEMINI_COOLDOWN_MS` (default 0). */
  limits: ProviderLaneLimits;
  /** Longest wait for one online call (one attempt), in ms. `GEMINI_TIMEOUT_MS`, default 300000 (5 min: Pro at 4K is slow). */
  timeoutMs: number;
  /**
   * Wire model id per friendly model name, overriding the built-in table (Google renames and
   * retires ids). `GEMINI_MODEL_NANO_BANANA`, `GEMINI_MODEL_NANO_BANANA_PRO`, `GEMINI_MODEL_NANO_BANANA_2`; unset = built-in.
   */
  modelIds: GeminiModelIdOverrides;
  batch: {
    /**
     * Limits of the batch lane, kept apart from the online ones: `maxConcurrency` = batch-lane tasks
     * submitted or waiting at once across every process (`GEMINI_BATCH_CONCURRENCY`, default 1000);
     * no RPM, no cool-down.
     */
    limits: ProviderLaneLimits;
    /** Most requests in one Batch API job. `GEMINI_BATCH_MAX_REQUESTS`, default 1000. */
    maxRequestsPerBatch: number;
    /** How long requests are gathered into one batch after the first arrives, in ms. `GEMINI_BATCH_GATHER_MS`, default 5000. */
    gatherMs: number;
    /** First wait between two status checks of a batch, in ms; it grows 1.5× per check up to 10×. `GEMINI_BATCH_POLL_MS`, default 30000. */
    pollIntervalMs: number;
  };
}

/** A Gemini model id such as `gemini-3-pro-image` that may be unset (the built-in id applies). */
function geminiModelIdVariable() {
  const requirement = 'a Gemini model id such as gemini-3-pro-image (lowercase letters, digits, dots and dashes)';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return undefined;
      // Ids only: a "models/" prefix or a path would change the URL the SDK builds.
      if (!/^[a-z0-9][a-z0-9.-]*$/.test(raw)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

export const geminiModule = defineProviderModule({
  id: 'gemini',
  environment: {
    GEMINI_API_KEY: secretVariable({ minimumLength: 1 }),
    GEMINI_BASE_URL: httpUrlVariable(),
    GEMINI_RPM: rateVariable({ minimum: 0, maximum: 1_000_000 }),
    GEMINI_CONCURRENCY: integerVariable({ minimum: 1, maximum: 1024, defaultValue: 16 }),
    GEMINI_COOLDOWN_MS: integerVariable({ minimum: 0, maximum: hourMs, defaultValue: 0 }),
    GEMINI_TIMEOUT_MS: integerVariable({ minimum: 1000, maximum: hourMs, defaultValue: 5 * minuteMs }),
    GEMINI_MODEL_NANO_BANANA: geminiModelIdVariable(),
    GEMINI_MODEL_NANO_BANANA_PRO: geminiModelIdVariable(),
    GEMINI_MODEL_NANO_BANANA_2: geminiModelIdVariable(),
    GEMINI_BATCH_CONCURRENCY: integerVariable({ minimum: 1, maximum: 100_000, defaultValue: 1000 }),
    GEMINI_BATCH_MAX_REQUESTS: integerVariable({ minimum: 1, maximum: 100_000, defaultValue: 1000 }),
    GEMINI_BATCH_GATHER_MS: integerVariable({ minimum: 0, maximum: 10 * minuteMs, defaultValue: 5000 }),
    GEMINI_BATCH_POLL_MS: integerVariable({ minimum: 10, maximum: hourMs, defaultValue: 30_000 }),
  },
  settingsFrom: (values): GeminiSettings => ({
    apiKey: values.GEMINI_API_KEY,
    baseUrl: values.GEMINI_BASE_URL,
    limits: {
      requestsPerMinute: values.GEMINI_RPM === 'auto' ? 0 : values.GEMINI_RPM,
      maxConcurrency: values.GEMINI_CONCURRENCY,
      cooldownMs: values.GEMINI_COOLDOWN_MS,
      ...(values.GEMINI_RPM === 'auto' ? { learnedRate: true } : {}),
      // Stated whatever the rate: `--rpm auto` can make a fixed GEMINI_RPM learned for one run.
      inputTokenEstimate: geminiInputTokenEstimate,
    },
    timeoutMs: values.GEMINI_TIMEOUT_MS,
    modelIds: {
      'nano-banana': values.GEMINI_MODEL_NANO_BANANA,
      'nano-banana-pro': values.GEMINI_MODEL_NANO_BANANA_PRO,
      'nano-banana-2': values.GEMINI_MODEL_NANO_BANANA_2,
    },
    batch: {
      limits: { requestsPerMinute: 0, maxConcurrency: values.GEMINI_BATCH_CONCURRENCY, cooldownMs: 0 },
      maxRequestsPerBatch: values.GEMINI_BATCH_MAX_REQUESTS,
      gatherMs: values.GEMINI_BATCH_GATHER_MS,
      pollIntervalMs: values.GEMINI_BATCH_POLL_MS,
    },
  }),
  limits: (settings, lane) => (lane === 'batch' ? settings.batch.limits : settings.limits),
  create: async (settings, context) => {
    if (settings.apiKey === undefined) return undefined;
    const { createGeminiProvider } = await import('./gemini-provider.js');
    const provider = createGeminiProvider({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      timeoutMs: settings.timeoutMs,
      modelIds: settings.modelIds,
      batch: { ...settings.batch, workDirectory: path.join(context.dataDirectory, 'tmp', 'gemini-batches') },
      logger: context.logger,
    });
    return { provider };
  },
});
