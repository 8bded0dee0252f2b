/**
 * The `runpod` provider: each task becomes one job on the user's RunPod Serverless endpoint running
 * imagefleet's worker image (`worker/`). The engine calls `submit` (`POST /run` with an execution
 * policy) and saves the handle before waiting, then `poll` (`GET /status/{id}`) with backoff until
 * the job ends; a restarted worker polls the saved handle instead of submitting again, and a
 * canceled task cancels its job (`POST /cancel/{id}`). Results are fetched at the first poll that
 * sees them, well inside RunPod's 30-minute retention.
 */
import type { GeminiModelIdOverrides } from '../gemini/model-id-overrides.js';
import type { WorkerBucketSettings } from './worker-bucket-settings.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { wait } from '../../platform/wait.js';
import { fingerprintApiKey } from '../gemini/api-key.js';
import { findModel, providerError, type GenerateRequest, type GenerateResult, type ImageProvider, type ModelCapabilities, type RemotePollResult } from '../contract.js';
import { buildRunBody } from './build-worker-input.js';
import { readKeptOutput } from './read-kept-output.js';
import { readWorkerError } from './read-worker-error.js';
import { readWorkerOutput } from './read-worker-output.js';
import { RunpodClient } from './runpod-client.js';
import { formatRunpodHandle, parseRunpodHandle } from './runpod-handle.js';
import { workerModelCatalog } from './worker-model-catalog.js';

export interface RunpodProviderSettings {
  /** `RUNPOD_API_KEY`. */
  apiKey: string;
  /** `RUNPOD_ENDPOINT_ID`. */
  endpointId: string;
  /** `RUNPOD_BASE_URL`: RunPod's API, a proxy or a test fake. */
  baseUrl: string;
  /** Provider the worker image runs (`RUNPOD_WORKER_PROVIDER`). */
  workerProvider: string;
  /** Model ids offered (`RUNPOD_MODELS`); undefined = all of the worker provider's. */
  modelIds?: readonly string[] | undefined;
  /** `policy.executionTimeout` of each job, ms. */
  executionTimeoutMs: number;
  /** `policy.ttl` of each job, ms. */
  ttlMs: number;
  /** RunPod compute price, USD per second of execution (`RUNPOD_PRICE_PER_SECOND_USD`). */
  pricePerSecondUsd: number;
  /** Gemini wire-id overrides, when the worker runs Gemini. */
  geminiModelIds?: GeminiModelIdOverrides | undefined;
  /** Longest wait for one HTTP call, ms; default 30000. */
  requestTimeoutMs?: number | undefined;
  /**
   * The worker's bucket (`BUCKET_*`, set on the app too): a job RunPod no longer has is collected
   * from the output the worker kept there instead of being run again. Undefined = no such rescue.
   */
  resultBucket?: WorkerBucketSettings | undefined;
  /** Largest `/run` body, bytes; default RunPod's 10 MB. */
  requestLimitBytes?: number | undefined;
  /**
   * A signed link to a stored image (by SHA-256) valid for `ttlMs`, which the worker fetches when the
   * images make `/run` too big; returns undefined when this server has no public address.
   */
  imageLink?: ((sha256: string, ttlMs: number) => string | undefined) | undefined;
  logger?: Logger | undefined;
}

/** Status checks that may fail in a row (network, 5xx) before a poll gives up and the attempt counts. */
const toleratedStatusFailures = 5;
/** Waits between status checks inside `generate` (the engine uses its own loop for `poll`), ms. */
const generatePollStartMs = 1_000;
const generatePollMaxMs = 10_000;

export function createRunpodProvider(settings: RunpodProviderSettings): ImageProvider {
  const logger = settings.logger ?? silentLogger;
  const models: readonly ModelCapabilities[] = workerModelCatalog({
    workerProvider: settings.workerProvider,
    modelIds: settings.modelIds,
    pricePerSecondUsd: settings.pricePerSecondUsd,
    geminiModelIds: settings.geminiModelIds,
  });
  const requestTimeoutMs = settings.requestTimeoutMs ?? 30_000;
  const client = new RunpodClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl, requestTimeoutMs });
  // The endpoint is part of the identity: a provider paused for an unknown endpoint resumes when it changes.
  const fingerprint = fingerprintApiKey(`${settings.apiKey}\n${settings.endpointId}`);
  const statusFailures = new Map<string, number>();

  const submit = async (request: GenerateRequest): Promise<string> => {
    const model = findModel(provider, request.modelId);
    const { body } = buildRunBody(
      { ...request, modelId: model.modelId },
      {
        workerProvider: settings.workerProvider,
        executionTimeoutMs: settings.executionTimeoutMs,
        ttlMs: settings.ttlMs,
        requestLimitBytes: settings.requestLimitBytes,
        // A link lives as long as the job may: it can wait in RunPod's queue for its whole TTL.
        imageLink: settings.imageLink === undefined ? undefined : (sha256) => settings.imageLink?.(sha256, settings.ttlMs),
      },
    );
    const jobId = await client.run(settings.endpointId, body, request.signal);
    logger.debug({ endpointId: settings.endpointId, jobId, taskKey: request.taskKey }, 'RunPod job submitted.');
    return formatRunpodHandle({ endpointId: settings.endpointId, jobId });
  };

  const poll = async (handle: string, signal: AbortSignal): Promise<RemotePollResult> => {
    const { endpointId, jobId } = parseRunpodHandle(handle);
    let reply;
    try {
      reply = await client.status(endpointId, jobId, signal);
      statusFailures.delete(handle);
    } catch (error) {
      signal.throwIfAborted();
      const code = (error as { code?: string }).code;
      // Too many status checks says nothing about the job or the endpoint's capacity: wait as told and keep
      // waiting, rather than let the engine halve the provider's concurrency as for a refused submission.
      if (code === 'provider_rate_limited') {
        await wait((error as { retryAfterMs?: number }).retryAfterMs ?? 1000, signal);
        return { state: 'pending' };
      }
      // A flaky status check says nothing about the job either: keep waiting a few times before using an attempt.
      const failures = (statusFailures.get(handle) ?? 0) + 1;
      const isTransient = code === 'provider_transient';
      if (isTransient && failures < toleratedStatusFailures) {
        statusFailures.set(handle, failures);
        logger.warn({ jobId, failures }, 'RunPod status check failed; will check again.');
        return { state: 'pending' };
      }
      statusFailures.delete(handle);
      throw error;
    }
    if (reply === undefined) {
      const kept = settings.resultBucket === undefined ? undefined : await readKeptOutput(settings.resultBucket, jobId, signal);
      if (kept !== undefined) {
        logger.info({ jobId }, 'RunPod no longer has the job; collected its output kept in the bucket instead of running it again.');
        return { state: 'done', result: await readWorkerOutput(kept, undefined, jobId, signal, { pricePerSecondUsd: settings.pricePerSecondUsd, downloadTimeoutMs: 120_000 }) };
      }
      return { state: 'failed', error: providerError('transient', `RunPod no longer has job ${jobId}: its TTL (${settings.ttlMs} ms) or the 30-minute result retention passed. It will be submitted again.`) };
    }
    switch (reply.status) {
      case 'COMPLETED':
        return { state: 'done', result: await readWorkerOutput(reply.output, reply.executionTime, jobId, signal, { pricePerSecondUsd: settings.pricePerSecondUsd, downloadTimeoutMs: 120_000 }) };
      case 'FAILED':
        return { state: 'failed', error: readWorkerError(reply.error) };
      case 'TIMED_OUT':
        return {
          state: 'failed',
          error: providerError('transient', `RunPod job ${jobId} timed out (execution timeout ${settings.executionTimeoutMs} ms, or no worker picked it up within its TTL).`),
        };
      case 'CANCELLED':
        return { state: 'failed', error: providerError('transient', `RunPod job ${jobId} was canceled on RunPod (not by imagefleet).`) };
      case 'IN_QUEUE':
      case 'IN_PROGRESS':
        return { state: 'pending', progress: progressOf(reply.output) };
      default:
        logger.warn({ jobId, status: reply.status }, 'RunPod reported a job status imagefleet does not know; waiting.');
        return { state: 'pending' };
    }
  };

  const cancel = async (handle: string): Promise<void> => {
    const { endpointId, jobId } = parseRunpodHandle(handle);
    statusFailures.delete(handle);
    await client.cancel(endpointId, jobId, AbortSignal.timeout(requestTimeoutMs));
  };

  /** Submit and wait in one call, for callers outside the engine's remote path. */
  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    const handle = await submit(request);
    let delayMs = generatePollStartMs;
    try {
      for (;;) {
        request.signal.throwIfAborted();
        const state = await poll(handle, request.signal);
        if (state.state === 'done') return state.result;
        if (state.state === 'failed') throw state.error;
        if (state.progress !== undefined) request.onProgress?.(state.progress);
        await wait(delayMs, request.signal);
        delayMs = Math.min(generatePollMaxMs, delayMs * 2);
      }
    } catch (error) {
      if (request.signal.aborted) await cancel(handle).catch(() => undefined);
      throw error;
    }
  };

  const provider: ImageProvider = {
    id: 'runpod',
    displayName: 'RunPod Serverless',
    models: () => models,
    credentialFingerprint: () => fingerprint,
    generate,
    submit,
    poll,
    cancel,
  };
  return provider;
}

/** Progress a worker reported (`{ progress: 0.4 }` or `"4/10"`), as a fraction. */
function progressOf(output: unknown): number | undefined {
  const progress = (output as { progress?: unknown } | null | undefined)?.progress;
  if (typeof progress === 'number' && progress >= 0 && progress <= 1) return progress;
  if (typeof progress === 'string') {
    const match = /^(\d+)\/(\d+)$/.exec(progress);
    if (match && Number(match[2]) > 0) return Math.min(1, Number(match[1]) / Number(match[2]));
  }
  return undefined;
}
