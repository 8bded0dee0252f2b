/**
 * The `gemini` provider: Google's Nano Banana image models through the official `@google/genai`
 * SDK (3.x). Online calls go through `generate`; jobs on the `batch` lane go through
 * `submit` / `poll` / `cancel` on the Batch API at half price. The API key stays inside the SDK
 * client: messages and logs carry only its fingerprint.
 */
import os from 'node:os';
import path from 'node:path';
import { GoogleGenAI } from '@google/genai';
import type { GeminiModelIdOverrides } from './model-id-overrides.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { providerError, type GenerateRequest, type ImageProvider } from '../contract.js';
import { fingerprintApiKey } from './api-key.js';
import { GeminiBatchLane } from './batch/gemini-batch-lane.js';
import { inlineRequestLimitBytes } from './fit-inline-references.js';
import { describeKnownModels, findGeminiModel, geminiModelTable, type GeminiModel } from './models.js';
import { generateOnline } from './online-generation.js';

export interface GeminiProviderSettings {
  /** The Gemini API key (`GEMINI_API_KEY`). */
  apiKey: string;
  /** API base URL (`GEMINI_BASE_URL`): a proxy or a fake server; undefined = Google's endpoint. */
  baseUrl?: string | undefined;
  /** Per-attempt timeout of one HTTP call, ms (`GEMINI_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Wire ids replacing the built-in ones (`GEMINI_MODEL_*`). */
  modelIds?: GeminiModelIdOverrides | undefined;
  batch: {
    /** Most requests in one batch job (`GEMINI_BATCH_MAX_REQUESTS`). */
    maxRequestsPerBatch: number;
    /** How long requests are gathered into one batch, ms (`GEMINI_BATCH_GATHER_MS`). */
    gatherMs: number;
    /** First wait between status checks of a batch, ms (`GEMINI_BATCH_POLL_MS`). */
    pollIntervalMs: number;
    /** Where result files are downloaded; default a folder in the system temp directory. */
    workDirectory?: string | undefined;
  };
  logger?: Logger | undefined;
  /** Epoch ms; injectable for tests of quota resets. */
  now?: (() => number) | undefined;
  /** Limit on one inline request, bytes; default Gemini's 20 MB (tests use less). */
  inlineRequestLimitBytes?: number | undefined;
}

/** Creates the Gemini provider. Nothing is sent until a call is made. */
export function createGeminiProvider(settings: GeminiProviderSettings): ImageProvider & { readonly batchLane: GeminiBatchLane } {
  const models = geminiModelTable(settings.modelIds);
  const capabilities = models.map((model) => model.capabilities);
  const knownModels = describeKnownModels(models);
  const now = settings.now ?? Date.now;
  const logger = settings.logger ?? silentLogger;
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    httpOptions: {
      ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
      // Pinned: SDK 3.x defaults to v1, and the image and batch features live in v1beta.
      apiVersion: 'v1beta',
      timeout: settings.timeoutMs,
    },
  });
  const fingerprint = fingerprintApiKey(settings.apiKey);
  const batchLane = new GeminiBatchLane({
    client,
    apiKey: settings.apiKey,
    logger,
    now,
    models,
    knownModels,
    timeoutMs: settings.timeoutMs,
    maxRequestsPerBatch: settings.batch.maxRequestsPerBatch,
    gatherMs: settings.batch.gatherMs,
    pollIntervalMs: settings.batch.pollIntervalMs,
    workDirectory: settings.batch.workDirectory ?? path.join(os.tmpdir(), 'imagefleet-gemini-batches'),
  });

  const modelFor = (request: GenerateRequest): GeminiModel => {
    const model = findGeminiModel(models, request.modelId);
    if (!model) throw providerError('invalid', `Unknown Gemini model "${request.modelId}". Known models: ${knownModels}.`);
    return model;
  };

  return {
    id: 'gemini',
    displayName: 'Google Gemini (Nano Banana)',
    remoteLanes: ['batch'],
    batchLane,
    models: () => capabilities,
    credentialFingerprint: () => fingerprint,
    generate: async (request) =>
      generateOnline(modelFor(request), request, {
        client,
        apiKey: settings.apiKey,
        timeoutMs: settings.timeoutMs,
        knownModels,
        inlineRequestLimitBytes: settings.inlineRequestLimitBytes ?? inlineRequestLimitBytes,
        now,
      }),
    submit: async (request) => batchLane.submit(modelFor(request), request),
    poll: (handle) => batchLane.poll(handle),
    cancel: (handle) => batchLane.cancel(handle),
  };
}
