/**
 * The Batch API lane (half price, asynchronous). `submit` uploads the request's references once
 * each (Files API), adds the request to the open group of its model and, when the group goes out
 * as one JSONL file and one batch job, returns a handle naming the batch and the request's key.
 * The engine saves that handle before it waits, so after a restart `poll` re-attaches to the same
 * batch. `poll` answers from a watcher shared by every request of the batch; a batch that ends
 * without a result for a request reports it as failed, and the engine resubmits it (in a new batch,
 * or online when the job's `providerOptions.batchRetry` is `online`).
 */
import { randomUUID } from 'node:crypto';
import type { GoogleGenAI } from '@google/genai';
import { ImagefleetError, isImagefleetError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { providerError, type GenerateRequest, type RemotePollResult } from '../../contract.js';
import { redactApiKey } from '../api-key.js';
import { readGeminiProviderOptions } from '../gemini-provider-options.js';
import { imageGenerationConfig, imageRequestParts, type ImageRequestInput } from '../image-request.js';
import { mapGeminiError } from '../map-gemini-error.js';
import { findGeminiModel, type GeminiModel } from '../models.js';
import { BatchCollector, type BatchRequestLine } from './batch-collector.js';
import { formatBatchHandle, parseBatchHandle, type BatchHandle } from './batch-handle.js';
import { readBatchLine } from './batch-line-outcome.js';
import { BatchWatcher } from './batch-watcher.js';
import { ReferenceUploads } from './reference-uploads.js';

export interface GeminiBatchLaneOptions {
  client: GoogleGenAI;
  apiKey: string;
  logger: Logger;
  now: () => number;
  models: readonly GeminiModel[];
  knownModels: string;
  timeoutMs: number;
  /** Most requests in one batch job. */
  maxRequestsPerBatch: number;
  /** How long requests are gathered after the first of a group, ms. */
  gatherMs: number;
  /** First wait between status checks of a batch, ms. */
  pollIntervalMs: number;
  /** Directory for downloaded result files. */
  workDirectory: string;
}

/** A watcher nobody asked about for this long is dropped (its result file deleted); a later poll makes a new one. */
const idleWatcherMs = 60 * 60_000;

/** A request ready to join a batch: no image bytes, only Files API references. */
interface PreparedRequest {
  wireModel: string;
  line: BatchRequestLine;
  handle: Omit<BatchHandle, 'batchName' | 'key'>;
  signal: AbortSignal;
}

/** Requests this process put into a batch, and which of them were canceled since. */
interface CreatedBatch {
  keys: Set<string>;
  canceled: Set<string>;
}

/** Batches per page, and pages read, when looking for a batch whose creation answer was lost. */
const recentBatchPageSize = 100;
const recentBatchPages = 3;

export class GeminiBatchLane {
  private readonly uploads: ReferenceUploads;
  private readonly collector: BatchCollector;
  private readonly watchers = new Map<string, BatchWatcher>();
  private readonly created = new Map<string, CreatedBatch>();

  constructor(private readonly options: GeminiBatchLaneOptions) {
    this.uploads = new ReferenceUploads({ client: options.client, now: options.now, mapError: (error, action) => this.mapError(error, action, 'resource') });
    this.collector = new BatchCollector({
      gatherMs: options.gatherMs,
      maxRequestsPerBatch: options.maxRequestsPerBatch,
      createBatch: (wireModel, lines) => this.createBatch(wireModel, lines),
    });
  }

  /** Reference uploads made so far (each distinct image once). */
  get referenceUploadCount(): number {
    return this.uploads.uploadCount;
  }

  /**
   * Not `async` on purpose: only `prepare` sees the request (and its reference bytes), and it
   * finishes before the gather window starts, so waiting requests hold no image data.
   */
  submit(model: GeminiModel, request: GenerateRequest): Promise<string> {
    return this.prepare(model, request).then((prepared) => this.place(prepared));
  }

  /** Uploads the references and builds the batch line and the handle's fields. */
  private async prepare(model: GeminiModel, request: GenerateRequest): Promise<PreparedRequest> {
    if (request.n !== 1) throw providerError('invalid', `Gemini makes one image per request; this call asked for ${request.n}.`);
    const { options } = readGeminiProviderOptions(request.providerOptions);
    const uploaded = await Promise.all(request.references.map((reference) => this.uploads.uriFor(reference)));
    const input: ImageRequestInput = {
      prompt: request.prompt,
      referenceParts: uploaded.map((file) => ({ fileData: { mimeType: file.mimeType, fileUri: file.fileUri } })),
      size: request.size,
      aspectRatio: request.aspectRatio,
      seed: request.seed,
    };
    return {
      wireModel: model.wireId,
      line: {
        key: request.taskKey ?? randomUUID(),
        // In a batch file the config is `generationConfig`, as in REST (the SDK's inline requests call it `config`).
        request: { contents: [{ role: 'user', parts: imageRequestParts(input) }], generationConfig: imageGenerationConfig(model, input) },
      },
      handle: { model: model.name, size: request.size, aspectRatio: request.aspectRatio, retry: options.batchRetry },
      signal: request.signal,
    };
  }

  private async place(prepared: PreparedRequest): Promise<string> {
    const placed = await this.collector.add(prepared.wireModel, prepared.line, prepared.signal);
    return formatBatchHandle({ ...prepared.handle, batchName: placed.batchName, key: placed.key });
  }

  async poll(handleText: string): Promise<RemotePollResult> {
    const handle = parseBatchHandle(handleText);
    const model = handle === undefined ? undefined : findGeminiModel(this.options.models, handle.model);
    if (!handle || !model) {
      return { state: 'failed', error: providerError('transient', `"${handleText}" is not a Gemini batch handle this version understands; the request is submitted again.`) };
    }
    await this.dropIdleWatchers();
    const watcher = this.watcherFor(handle.batchName);
    const status = await watcher.current().catch((error: unknown) => {
      throw this.redact(error);
    });
    const resubmitOnline = handle.retry === 'online';
    const where = resubmitOnline ? 'online' : 'in a new batch';
    if (status.kind === 'pending') return { state: 'pending' };
    if (status.kind === 'ended') {
      return {
        state: 'failed',
        error: providerError('transient', `Gemini batch ${handle.batchName} ended (${status.state}) without a result for this request; it is resubmitted ${where}.`),
        resubmitOnline,
      };
    }
    const line = await status.results.line(handle.key);
    await watcher.markServed(handle.key);
    if (watcher.finished) this.watchers.delete(handle.batchName);
    if (line === undefined) {
      return {
        state: 'failed',
        error: providerError('transient', `Gemini batch ${handle.batchName} finished without a result for this request; it is resubmitted ${where}.`),
        resubmitOnline,
      };
    }
    const outcome = await readBatchLine(line, handle, model);
    if (outcome.kind === 'done') return { state: 'done', result: outcome.result };
    const retryable = outcome.error.code === 'provider_transient' || outcome.error.code === 'provider_rate_limited';
    return { state: 'failed', error: this.redact(outcome.error), resubmitOnline: resubmitOnline && retryable };
  }

  /**
   * Forgets a canceled request. The remote batch is canceled only when this process created it
   * and every request in it was canceled: other tasks' requests share it.
   */
  async cancel(handleText: string): Promise<void> {
    const handle = parseBatchHandle(handleText);
    if (!handle) return;
    await this.watchers.get(handle.batchName)?.markServed(handle.key);
    const created = this.created.get(handle.batchName);
    if (!created) return;
    created.canceled.add(handle.key);
    if ([...created.keys].some((key) => !created.canceled.has(key))) return;
    this.created.delete(handle.batchName);
    try {
      await this.options.client.batches.cancel({ name: handle.batchName });
      this.options.logger.info({ batch: handle.batchName }, 'Canceled a Gemini batch: every request in it was canceled.');
    } catch (error) {
      this.options.logger.warn({ batch: handle.batchName, error: this.mapError(error, `canceling batch ${handle.batchName}`, 'resource').message }, 'Could not cancel a Gemini batch.');
    }
  }

  private async createBatch(wireModel: string, lines: readonly BatchRequestLine[]): Promise<string> {
    const displayName = `imagefleet-${randomUUID().slice(0, 8)}`;
    const action = `creating a batch of ${lines.length} requests for ${wireModel}`;
    try {
      const jsonl = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
      const file = await this.options.client.files.upload({
        file: new Blob([jsonl], { type: 'application/jsonl' }),
        config: { mimeType: 'jsonl', displayName: `${displayName}-requests` },
      });
      if (!file.name) throw providerError('transient', 'The Files API accepted the batch input file but returned no name.');
      const job = await this.options.client.batches.create({ model: wireModel, src: file.name, config: { displayName } }).catch(async (error: unknown) => {
        // A create whose answer was lost (connection dropped, timeout, a 5xx after the fact) may
        // have made the batch anyway. Retrying would make a second one and pay for every request
        // twice, so look for it by its display name — unique to this attempt — first.
        const mapped = this.mapError(error, action, 'model');
        if (mapped.code !== 'provider_transient') throw mapped;
        const existing = await this.findRecentBatch(displayName).catch(() => undefined);
        if (!existing) throw mapped;
        this.options.logger.warn({ batch: existing.name, model: wireModel }, 'The answer to creating a Gemini batch was lost; found the batch by its name and kept it instead of creating another.');
        return existing;
      });
      if (!job.name) throw providerError('transient', 'The Batch API created a job but returned no name.');
      this.created.set(job.name, { keys: new Set(lines.map((line) => line.key)), canceled: new Set() });
      this.options.logger.info({ batch: job.name, model: wireModel, requests: lines.length }, 'Created a Gemini batch.');
      return job.name;
    } catch (error) {
      throw this.mapError(error, action, 'model');
    }
  }

  /** The batch with this display name among the newest `recentBatchPages` pages of the account's batches. */
  private async findRecentBatch(displayName: string): Promise<{ name?: string | undefined } | undefined> {
    const pager = await this.options.client.batches.list({ config: { pageSize: recentBatchPageSize } });
    let seen = 0;
    for await (const batch of pager) {
      if (batch.displayName === displayName) return batch;
      seen += 1;
      if (seen >= recentBatchPageSize * recentBatchPages) return undefined;
    }
    return undefined;
  }

  private watcherFor(batchName: string): BatchWatcher {
    let watcher = this.watchers.get(batchName);
    if (!watcher) {
      watcher = new BatchWatcher(batchName, {
        client: this.options.client,
        logger: this.options.logger,
        now: this.options.now,
        pollIntervalMs: this.options.pollIntervalMs,
        workDirectory: this.options.workDirectory,
        mapError: (error, action, notFoundMeans) => this.mapError(error, action, notFoundMeans),
      });
      this.watchers.set(batchName, watcher);
    }
    return watcher;
  }

  private async dropIdleWatchers(): Promise<void> {
    const nowMs = this.options.now();
    for (const [batchName, watcher] of this.watchers) {
      if (nowMs - watcher.lastUsedAtMs < idleWatcherMs) continue;
      this.watchers.delete(batchName);
      await watcher.release().catch(() => undefined);
    }
  }

  private mapError(error: unknown, action: string, notFoundMeans: 'model' | 'resource'): ImagefleetError {
    return mapGeminiError(error, {
      apiKey: this.options.apiKey,
      action,
      notFoundMeans,
      knownModels: this.options.knownModels,
      signal: undefined,
      timeoutMs: this.options.timeoutMs,
      nowMs: this.options.now(),
    });
  }

  /** The same error with the API key taken out of its message (Google's text is passed on). */
  private redact(error: unknown): ImagefleetError {
    const mapped = isImagefleetError(error) ? error : this.mapError(error, 'reading a batch', 'resource');
    const message = redactApiKey(mapped.message, this.options.apiKey);
    return message === mapped.message ? mapped : new ImagefleetError(mapped.code, message, { retryAfterMs: mapped.retryAfterMs });
  }
}
